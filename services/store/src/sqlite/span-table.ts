import type { Database, Statement } from 'better-sqlite3';
import { SpanKind, SpanStatus, StoreError, type Span } from '@sleuth/core';
import { checkWindow, parseQuery } from '../parse-query';
import { ServiceCallQuery, SpanQuery } from '../queries';
import type { ServiceCall, ServiceEndpoint } from '../store';
import { decodeAttributes, encodeAttributes } from './codec';
import type { SourceDictionary } from './source-dictionary';
import { assertEncodable, RowidAllocator, rowidWindow } from './time-rowid';

interface SpanRow {
  id: bigint;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  service: string;
  source_id: bigint;
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  status: string;
  status_message: string | null;
  attributes: string | null;
}

const COLUMNS = `trace_id, span_id, parent_span_id, name, kind, service, source_id, start_ms, end_ms, duration_ms,
  status, status_message, attributes`;

/**
 * Spans, keyed like logs by a time-ordered rowid (from the start time), so "newest first in a
 * window" is a descending rowid range. A span written again (same trace and span id) replaces the
 * stored one.
 */
export class SpanTable {
  private readonly insert: Statement<unknown[]>;
  private readonly replace: Statement<unknown[]>;
  private readonly exists: Statement<[string, string], number>;
  private readonly allocator: RowidAllocator;

  constructor(
    private readonly db: Database,
    private readonly sources: SourceDictionary,
  ) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO spans (id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.replace = db.prepare(
      `UPDATE spans SET trace_id = ?, span_id = ?, parent_span_id = ?, name = ?, kind = ?, service = ?, source_id = ?,
         start_ms = ?, end_ms = ?, duration_ms = ?, status = ?, status_message = ?, attributes = ?
       WHERE trace_id = ? AND span_id = ?`,
    );
    this.exists = db
      .prepare<[string, string], number>('SELECT 1 FROM spans WHERE trace_id = ? AND span_id = ?')
      .pluck();
    const maxInMs = db
      .prepare<[bigint, bigint], bigint | null>('SELECT max(id) FROM spans WHERE id >= ? AND id < ?')
      .pluck()
      .safeIntegers(true);
    this.allocator = new RowidAllocator((ms) => {
      const lo = BigInt(ms) << 20n;
      return maxInMs.get(lo, lo + (1n << 20n)) ?? undefined;
    });
  }

  /** Inserts or replaces spans; must run inside the caller's transaction. Returns [written, new]. */
  write(spans: readonly Span[]): [number, number] {
    let added = 0;
    spans.forEach((s, i) => {
      assertEncodable(s.startMs, `spans[${i}]`);
      const values = [
        s.traceId,
        s.spanId,
        s.parentSpanId ?? null,
        s.name,
        s.kind,
        s.service,
        this.sources.resolve(s.source).id,
        s.startMs,
        s.endMs,
        s.durationMs,
        s.status,
        s.statusMessage ?? null,
        encodeAttributes(s.attributes),
      ];
      let id = this.allocator.allocate(Math.floor(s.startMs));
      for (let attempt = 0; ; attempt++) {
        if (this.insert.run(id, ...values).changes === 1) {
          added++;
          return;
        }
        if (this.exists.get(s.traceId, s.spanId) !== undefined) {
          this.replace.run(...values, s.traceId, s.spanId);
          return;
        }
        if (attempt > 8) throw new StoreError('could not allocate a span rowid', { retryable: true });
        id = this.allocator.afterConflict(id);
      }
    });
    this.allocator.trim();
    return [spans.length, added];
  }

  /** Every span of a trace, by start time. */
  trace(traceId: string): Span[] {
    return this.db
      .prepare<[string], SpanRow>(`SELECT id, ${COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_ms, id`)
      .safeIntegers(true)
      .all(traceId)
      .map((r) => this.fromRow(r));
  }

  /** Spans matching the filters, newest (by start) first. */
  search(input: SpanQuery): Span[] {
    const q = parseQuery(SpanQuery, input);
    checkWindow(q);
    const w = rowidWindow(q.fromMs, q.toMs);
    const where = ['id >= ?', 'id < ?'];
    const args: unknown[] = [w.lo, w.hi];
    const add = (condition: string, value: unknown): void => {
      where.push(condition);
      args.push(value);
    };
    if (w.exactFrom) add('start_ms >= ?', q.fromMs);
    if (w.exactTo) add('start_ms < ?', q.toMs);
    if (q.service !== undefined) add('service = ?', q.service);
    if (q.name !== undefined) add('name = ?', q.name);
    if (q.status !== undefined) add('status = ?', q.status);
    if (q.minDurationMs !== undefined) add('duration_ms >= ?', q.minDurationMs);
    if (
      q.cluster !== undefined ||
      q.namespace !== undefined ||
      q.workload !== undefined ||
      q.pod !== undefined
    ) {
      const ids = this.sources.matchingIds(q);
      if (ids.length === 0) return [];
      add('source_id IN (SELECT value FROM json_each(?))', JSON.stringify(ids));
    }
    return this.db
      .prepare<unknown[], SpanRow>(
        `SELECT id, ${COLUMNS} FROM spans WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
      )
      .safeIntegers(true)
      .all(...args, q.limit)
      .map((r) => this.fromRow(r));
  }

  /**
   * Calls between services: each span (in the window, by start) whose parent span is of another
   * service, grouped by the two services and where their spans came from (cluster, namespace);
   * and each client span with nothing under it whose peer is a Service of the cluster by its DNS
   * name (`redis.data.svc.cluster.local`, `redis.data`, `redis`), a call to a database or cache
   * that emits no spans of its own.
   */
  serviceCalls(input: ServiceCallQuery): ServiceCall[] {
    const q = parseQuery(ServiceCallQuery, input);
    checkWindow(q);
    const w = rowidWindow(q.fromMs, q.toMs);
    const where = ['c.id >= ?', 'c.id < ?', 'c.parent_span_id IS NOT NULL', 'p.service != c.service'];
    const args: unknown[] = [w.lo, w.hi];
    if (w.exactFrom) {
      where.push('c.start_ms >= ?');
      args.push(q.fromMs);
    }
    if (w.exactTo) {
      where.push('c.start_ms < ?');
      args.push(q.toMs);
    }
    const rows = this.db
      .prepare<
        unknown[],
        {
          caller: string;
          callee: string;
          psrc: bigint;
          csrc: bigint;
          calls: number;
          errors: number;
          dur: number;
        }
      >(
        `SELECT p.service AS caller, c.service AS callee, p.source_id AS psrc, c.source_id AS csrc,
                count(*) AS calls, sum(c.status = 'error') AS errors, sum(c.duration_ms) AS dur
           FROM spans c JOIN spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
          WHERE ${where.join(' AND ')}
          GROUP BY caller, callee, psrc, csrc`,
      )
      .safeIntegers(false)
      .all(...args);
    // Client spans with no span under them: calls to what emits no spans (a database, a cache),
    // named by the address the client dialled.
    const leaves = this.db
      .prepare<
        unknown[],
        { caller: string; psrc: bigint; addr: string; calls: number; errors: number; dur: number }
      >(
        `SELECT c.service AS caller, c.source_id AS psrc, c.addr AS addr,
                count(*) AS calls, sum(c.status = 'error') AS errors, sum(c.duration_ms) AS dur
           FROM (SELECT *, coalesce(json_extract(attributes, '$."peer.service"'),
                                    json_extract(attributes, '$."server.address"'),
                                    json_extract(attributes, '$."net.peer.name"')) AS addr
                   FROM spans c
                  WHERE ${where.filter((w) => !w.includes('parent_span_id') && !w.includes('p.')).join(' AND ')}
                    AND c.kind = 'client') c
          WHERE c.addr IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM spans k WHERE k.trace_id = c.trace_id AND k.parent_span_id = c.span_id)
          GROUP BY caller, psrc, addr`,
      )
      .safeIntegers(false)
      .all(...args);
    // Sources are per pod: fold them to (service, cluster, namespace) on each side.
    const out = new Map<string, ServiceCall & { dur: number }>();
    const sides: {
      r: { calls: number; errors: number; dur: number };
      from: ServiceEndpoint;
      to: ServiceEndpoint;
    }[] = [];
    for (const r of rows) {
      const ps = this.sources.source(Number(r.psrc));
      const cs = this.sources.source(Number(r.csrc));
      if (!ps || !cs) continue;
      sides.push({
        r,
        from: {
          service: r.caller,
          cluster: ps.cluster,
          ...(ps.namespace ? { namespace: ps.namespace } : {}),
        },
        to: { service: r.callee, cluster: cs.cluster, ...(cs.namespace ? { namespace: cs.namespace } : {}) },
      });
    }
    for (const r of leaves) {
      const ps = this.sources.source(Number(r.psrc));
      const callee = ps ? clusterService(r.addr, ps.namespace) : undefined;
      if (!ps || !callee) continue;
      sides.push({
        r,
        from: {
          service: r.caller,
          cluster: ps.cluster,
          ...(ps.namespace ? { namespace: ps.namespace } : {}),
        },
        to: { service: callee.service, cluster: ps.cluster, namespace: callee.namespace },
      });
    }
    for (const { r, from, to } of sides) {
      if (q.cluster !== undefined && from.cluster !== q.cluster && to.cluster !== q.cluster) continue;
      const key = JSON.stringify([from, to]);
      const e = out.get(key) ?? { from, to, calls: 0, errors: 0, meanDurationMs: 0, dur: 0 };
      e.calls += r.calls;
      e.errors += r.errors;
      e.dur += r.dur;
      out.set(key, e);
    }
    return [...out.values()]
      .map(({ dur, ...c }) => ({ ...c, meanDurationMs: c.calls > 0 ? dur / c.calls : 0 }))
      .sort((a, b) => b.calls - a.calls || a.from.service.localeCompare(b.from.service))
      .slice(0, q.limit);
  }

  private fromRow(r: SpanRow): Span {
    const source = this.sources.source(Number(r.source_id));
    if (!source)
      throw new StoreError(`span ${r.span_id} refers to unknown source ${r.source_id}`, { retryable: false });
    const span: Span = {
      traceId: r.trace_id,
      spanId: r.span_id,
      name: r.name,
      kind: SpanKind.catch('unspecified').parse(r.kind),
      service: r.service,
      source: { ...source },
      startMs: r.start_ms,
      endMs: r.end_ms,
      durationMs: r.duration_ms,
      status: SpanStatus.catch('unset').parse(r.status),
      attributes: decodeAttributes(r.attributes),
    };
    if (r.parent_span_id !== null) span.parentSpanId = r.parent_span_id;
    if (r.status_message !== null) span.statusMessage = r.status_message;
    return span;
  }
}

/**
 * The Kubernetes Service a client dialled, from the host it named: `svc`, `svc.ns`,
 * `svc.ns.svc[.cluster-domain]` (a port is ignored); undefined for an IP or an outside name.
 */
export function clusterService(
  address: string,
  callerNamespace: string | undefined,
): { service: string; namespace: string } | undefined {
  const host = address.replace(/:\d+$/, '').toLowerCase();
  if (host === '' || /^[\d.]+$/.test(host) || host.includes(':') || host === 'localhost') return undefined;
  const parts = host.split('.');
  const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (!parts.every((p) => label.test(p))) return undefined;
  if (parts.length === 1)
    return callerNamespace ? { service: parts[0]!, namespace: callerNamespace } : undefined;
  if (parts.length === 2 || parts[2] === 'svc') return { service: parts[0]!, namespace: parts[1]! };
  return undefined;
}
