import type { Database, Statement } from 'better-sqlite3';
import { SEVERITIES, type SignalSource } from '@sleuth/core';

/** A source as the log and span tables refer to it. */
export interface ResolvedSource {
  id: number;
  /** FTS facet tokens of a record from the source, by severity rank (index 0 = trace). */
  facetsBySeverity: readonly string[];
}

/**
 * Severity ranks from which a log row carries an `e<rank>` facet token (warn, error, fatal): the
 * rare levels, where an index pays. Filters on the common levels are checked on the row instead;
 * a token on every row would slow inserts for little gain.
 */
export const TOKEN_SEVERITY_FROM = 3;

/** The source fields a log query can filter on, and the letter of their FTS facet token. */
export const FACET_FIELDS = {
  cluster: 'c',
  namespace: 'n',
  workload: 'w',
  pod: 'p',
  container: 'k',
  service: 'v',
} as const;
export type FacetField = keyof typeof FACET_FIELDS;
/** The filterable source fields, in facet-token order. */
export const FACET_FIELD_NAMES: readonly FacetField[] = [
  'cluster',
  'namespace',
  'workload',
  'pod',
  'container',
  'service',
];

interface SourceRow {
  id: number;
  cluster: string;
  namespace: string | null;
  workload_kind: string | null;
  workload: string | null;
  pod: string | null;
  container: string | null;
  node: string | null;
  service: string | null;
}

/** A text key that differs whenever any field differs (absent and empty are distinct). */
function sourceKey(s: SignalSource): string {
  const f = (v: string | undefined): string => (v === undefined ? '\u0000' : `\u0001${v}`);
  return (
    s.cluster +
    f(s.namespace) +
    f(s.workloadKind) +
    f(s.workload) +
    f(s.pod) +
    f(s.container) +
    f(s.node) +
    f(s.service)
  );
}

function fromRow(r: SourceRow): SignalSource {
  const s: SignalSource = { cluster: r.cluster };
  if (r.namespace !== null) s.namespace = r.namespace;
  if (r.workload_kind !== null) s.workloadKind = r.workload_kind;
  if (r.workload !== null) s.workload = r.workload;
  if (r.pod !== null) s.pod = r.pod;
  if (r.container !== null) s.container = r.container;
  if (r.node !== null) s.node = r.node;
  if (r.service !== null) s.service = r.service;
  return s;
}

/**
 * The dictionary of signal sources (cluster, namespace, workload, pod ...) and of log facet
 * values, cached in memory: a log row stores a small source id, and its FTS facets column stores
 * one short token per source field. Lookups on the write path hit the cache; new entries are
 * inserted in the caller's transaction. After a rolled-back transaction call `load()` to drop
 * entries that were never committed.
 */
export class SourceDictionary {
  private byKey = new Map<string, ResolvedSource>();
  private byObject = new WeakMap<SignalSource, ResolvedSource>();
  private readonly byId = new Map<number, SignalSource>();
  private readonly facets = new Map<string, number>();
  private maxFacetId = 0;
  private maxSourceId = 0;
  private readonly insertSource: Statement<[string, ...(string | null)[]]>;
  private readonly insertFacet: Statement<[string, string]>;

  constructor(private readonly db: Database) {
    this.insertSource = db.prepare(
      `INSERT INTO signal_sources (key, cluster, namespace, workload_kind, workload, pod, container, node, service)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFacet = db.prepare('INSERT INTO log_facets (field, value) VALUES (?, ?)');
  }

  /** (Re)reads both dictionaries from the database. */
  load(): void {
    this.byKey = new Map();
    this.byObject = new WeakMap();
    this.byId.clear();
    this.facets.clear();
    this.maxFacetId = 0;
    this.maxSourceId = 0;
    this.refresh();
  }

  /**
   * Reads the entries another connection committed since the last load or refresh (ids only
   * grow). A reader connection calls this when the database changed under it.
   */
  refresh(): void {
    for (const f of this.db
      .prepare<[number], { id: number; field: string; value: string }>(
        'SELECT id, field, value FROM log_facets WHERE id > ? ORDER BY id',
      )
      .iterate(this.maxFacetId)) {
      this.facets.set(`${f.field}\u0000${f.value}`, f.id);
      this.maxFacetId = f.id;
    }
    for (const r of this.db
      .prepare<[number], SourceRow>('SELECT * FROM signal_sources WHERE id > ? ORDER BY id')
      .iterate(this.maxSourceId)) {
      const source = fromRow(r);
      this.byId.set(r.id, source);
      this.byKey.set(sourceKey(source), { id: r.id, facetsBySeverity: this.facetTokens(source) });
      this.maxSourceId = r.id;
    }
  }

  /** The id and facet tokens of a source, creating it if new (call inside a write transaction). */
  resolve(source: SignalSource): ResolvedSource {
    const cached = this.byObject.get(source);
    if (cached) return cached;
    const key = sourceKey(source);
    let resolved = this.byKey.get(key);
    if (!resolved) {
      const info = this.insertSource.run(
        key,
        source.cluster,
        source.namespace ?? null,
        source.workloadKind ?? null,
        source.workload ?? null,
        source.pod ?? null,
        source.container ?? null,
        source.node ?? null,
        source.service ?? null,
      );
      const id = Number(info.lastInsertRowid);
      this.maxSourceId = Math.max(this.maxSourceId, id);
      const copy = fromRow({
        id,
        cluster: source.cluster,
        namespace: source.namespace ?? null,
        workload_kind: source.workloadKind ?? null,
        workload: source.workload ?? null,
        pod: source.pod ?? null,
        container: source.container ?? null,
        node: source.node ?? null,
        service: source.service ?? null,
      });
      this.byId.set(id, copy);
      resolved = { id, facetsBySeverity: this.facetTokens(copy) };
      this.byKey.set(key, resolved);
    }
    this.byObject.set(source, resolved);
    return resolved;
  }

  /** The source stored under an id. */
  source(id: number): SignalSource | undefined {
    return this.byId.get(id);
  }

  /** The FTS token for a filter value, or undefined when no stored log has that value. */
  facetToken(field: FacetField, value: string): string | undefined {
    const id = this.facets.get(`${FACET_FIELDS[field]}\u0000${value}`);
    return id === undefined ? undefined : `${FACET_FIELDS[field]}${id}`;
  }

  /** The facet token of every stored cluster (every log row carries one of them). */
  clusterTokens(): string[] {
    const out: string[] = [];
    for (const [k, id] of this.facets)
      if (k.startsWith(`${FACET_FIELDS.cluster}\u0000`)) out.push(`${FACET_FIELDS.cluster}${id}`);
    return out;
  }

  /** Ids of every source whose fields equal all the given values. */
  matchingIds(filter: Partial<Record<'cluster' | 'namespace' | 'workload' | 'pod', string>>): number[] {
    const out: number[] = [];
    for (const [id, s] of this.byId) {
      if (filter.cluster !== undefined && s.cluster !== filter.cluster) continue;
      if (filter.namespace !== undefined && s.namespace !== filter.namespace) continue;
      if (filter.workload !== undefined && s.workload !== filter.workload) continue;
      if (filter.pod !== undefined && s.pod !== filter.pod) continue;
      out.push(id);
    }
    return out;
  }

  private facetTokens(source: SignalSource): string[] {
    const tokens: string[] = [];
    for (const field of FACET_FIELD_NAMES) {
      const value = source[field];
      if (value === undefined || value === '') continue;
      const letter = FACET_FIELDS[field];
      const k = `${letter}\u0000${value}`;
      let id = this.facets.get(k);
      if (id === undefined) {
        id = Number(this.insertFacet.run(letter, value).lastInsertRowid);
        this.facets.set(k, id);
        this.maxFacetId = Math.max(this.maxFacetId, id);
      }
      tokens.push(`${letter}${id}`);
    }
    const base = tokens.join(' ');
    return SEVERITIES.map((_, rank) => (rank >= TOKEN_SEVERITY_FROM ? `${base} e${rank}` : base));
  }
}
