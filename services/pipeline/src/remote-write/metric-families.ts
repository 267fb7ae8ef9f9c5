import type { MetricType } from '@sleuth/core';
import type { WireMetadata } from './write-request';

/** Prometheus's MetricMetadata.MetricType, as sent in remote write metadata. */
const FAMILY_TYPES = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
] as const;
type FamilyType = (typeof FAMILY_TYPES)[number];

interface Family {
  type: FamilyType;
  unit: string | undefined;
}

/** Suffixes a series name adds to its family's name, longest match first. */
const SUFFIXES = ['_total', '_bucket', '_count', '_sum', '_created', '_gcount', '_gsum', '_info'] as const;

const MAX_UNIT = 63;

/** What a series is, as Sleuth stores it. */
export interface SeriesKind {
  type: MetricType;
  unit?: string;
}

function typeInFamily(type: FamilyType, suffix: string): MetricType | undefined {
  switch (type) {
    case 'counter':
      return suffix === '_created' ? 'gauge' : 'counter';
    case 'histogram':
      if (suffix === '_bucket') return 'histogram';
      return suffix === '_count' || suffix === '_sum' ? 'counter' : 'gauge';
    case 'gaugehistogram':
      return suffix === '_bucket' ? 'histogram' : 'gauge';
    case 'summary':
      if (suffix === '') return 'summary';
      return suffix === '_count' || suffix === '_sum' ? 'counter' : 'gauge';
    case 'gauge':
    case 'info':
    case 'stateset':
      return 'gauge';
    case 'unknown':
      return undefined;
  }
}

/**
 * The type by naming convention, when no metadata says: `_total`, `_count` and `_sum` are counters;
 * `_bucket` with an `le` label is a histogram bucket and a series with a `quantile` label a summary
 * quantile (the types Sleuth gives the same series from OTLP); anything else is a gauge.
 */
export function conventionalType(name: string, labels: Readonly<Record<string, string>>): MetricType {
  if (name.endsWith('_total') || name.endsWith('_count') || name.endsWith('_sum')) return 'counter';
  if (name.endsWith('_bucket')) return Object.hasOwn(labels, 'le') ? 'histogram' : 'counter';
  if (Object.hasOwn(labels, 'quantile')) return 'summary';
  return 'gauge';
}

/**
 * What remote write metadata told about metric families (type and unit), shared by one receiver's
 * requests: Prometheus sends metadata in requests of its own, about once a minute, so it describes
 * the series of later requests. Bounded: past `maxFamilies` the oldest family is forgotten. Series
 * of families it has not heard of are typed by naming convention.
 */
export class MetricFamilies {
  private readonly families = new Map<string, Family>();

  constructor(private readonly maxFamilies = 20_000) {}

  /** Families known. */
  get size(): number {
    return this.families.size;
  }

  /** Notes one metadata entry; entries without a family name are ignored. */
  learn(m: WireMetadata): void {
    if (m.family === '' || m.family.length > 255) return;
    const type = FAMILY_TYPES[m.type] ?? 'unknown';
    const unit = m.unit === '' || m.unit.length > MAX_UNIT ? undefined : m.unit;
    this.families.delete(m.family);
    this.families.set(m.family, { type, unit });
    if (this.families.size > this.maxFamilies) {
      const oldest = this.families.keys().next();
      if (oldest.done !== true) this.families.delete(oldest.value);
    }
  }

  /** The type and unit of series `name` with `labels`: from its family's metadata, else by convention. */
  kindOf(name: string, labels: Readonly<Record<string, string>>): SeriesKind {
    let family = this.families.get(name);
    let suffix = '';
    if (family === undefined) {
      for (const s of SUFFIXES) {
        if (!name.endsWith(s)) continue;
        family = this.families.get(name.slice(0, -s.length));
        if (family !== undefined) {
          suffix = s;
          break;
        }
      }
    }
    const type = family === undefined ? undefined : typeInFamily(family.type, suffix);
    const kind: SeriesKind = { type: type ?? conventionalType(name, labels) };
    if (family?.unit !== undefined) kind.unit = family.unit;
    return kind;
  }
}
