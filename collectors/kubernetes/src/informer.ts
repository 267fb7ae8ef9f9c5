import { backoffMs, sleep } from './backoff';
import { KubeApiError, type KubeApi, type RawObject, type WatchEvent } from './kube-api';
import { resourceName, type WatchedResource } from './resources';
import { sanitize } from './sanitize';

/** A change to one object, as the informer hands it on. */
export interface ObjectChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object as served (sanitised); for DELETED its last state. */
  object: RawObject;
  /** When the collector saw the change, epoch ms. */
  observedMs: number;
}

/**
 * Where changes go. Resolves once they are accepted; the informer does not take the next changes
 * before, which is its backpressure. Rejects only when the collector is stopping.
 */
export type ChangeSink = (changes: ObjectChange[]) => Promise<void>;

export type InformerState =
  /** Listing for the first time. */
  | 'syncing'
  /** Listed, and watching for changes. */
  | 'synced'
  /** The API server refuses this resource (RBAC): skipped, asked again now and then. */
  | 'forbidden'
  /** The API server does not serve this resource (404). */
  | 'unavailable'
  /** Lists or watches fail; retrying with backoff. */
  | 'failing'
  | 'stopped';

/** What the collector reports per resource at /api/v1/clusters. */
export interface InformerStatus {
  resource: string;
  kind: string;
  state: InformerState;
  objects: number;
  resourceVersion?: string;
  /** When the last full list completed, epoch ms. */
  lastListMs?: number;
  /** When the last change was received, epoch ms. */
  lastChangeMs?: number;
  /** Full lists after the first: after 410 Gone, or after falling behind. */
  relists: number;
  /** Watches that ended and were resumed from their resourceVersion. */
  watchRestarts: number;
  /** The last error, while it is current. */
  error?: string;
}

export interface InformerOptions {
  /** Objects per list page. */
  pageSize: number;
  /** Changes handed to the sink at once. */
  chunkSize: number;
  /**
   * Changes received but not yet accepted by the sink, beyond which the watch is dropped and the
   * informer lists again once the sink caught up (only intermediate states are skipped).
   */
  maxPending: number;
  /** Server-side watch timeout; each watch draws a value in [t, 2t) so they do not all end together. */
  watchTimeoutSeconds: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a forbidden or missing resource waits before it is asked for again. */
  deniedRetryMs: number;
  now?: () => number;
}

interface Known {
  resourceVersion: string;
  /** Enough of the object to write its tombstone if it disappears while unwatched. */
  stub: RawObject;
}

const keyOf = (o: RawObject): string =>
  o.metadata?.uid ?? `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function stubOf(o: RawObject): RawObject {
  const md = o.metadata ?? {};
  const metadata: RawObject['metadata'] = { name: md.name ?? '' };
  if (md.namespace !== undefined) metadata.namespace = md.namespace;
  if (md.uid !== undefined) metadata.uid = md.uid;
  if (md.resourceVersion !== undefined) metadata.resourceVersion = md.resourceVersion;
  return { apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', metadata };
}

/** Thrown inside the informer when the sink fell behind the watch. */
class FellBehind extends Error {}

/** The sink refused changes: what it did not take is only recovered by listing again. */
class SinkFailed extends Error {
  constructor(cause: unknown) {
    super(`handing on changes failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * List + watch for one resource, with the semantics of client-go's reflector: list (in pages) and
 * remember every object's resourceVersion; watch from the list's resourceVersion with bookmarks;
 * resume a watch that ended from the last resourceVersion seen; list again on 410 Gone and hand on
 * only what differs from what was already handed on (changed objects, and tombstones for objects
 * that vanished meanwhile), so a re-list neither duplicates nor loses objects. Failures back off
 * with jitter; 403 and 404 mark the resource forbidden or unavailable and are retried rarely, and
 * never stop the other resources.
 */
export class Informer {
  private readonly known = new Map<string, Known>();
  private readonly status: InformerStatus;
  private readonly now: () => number;
  private pending: ObjectChange[] = [];
  private draining: Promise<void> | undefined;
  private drainError: SinkFailed | undefined;
  private listed = false;

  constructor(
    private readonly api: KubeApi,
    readonly resource: WatchedResource,
    private readonly sink: ChangeSink,
    private readonly opts: InformerOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.status = {
      resource: resourceName(resource),
      kind: resource.kind,
      state: 'syncing',
      objects: 0,
      relists: 0,
      watchRestarts: 0,
    };
  }

  snapshot(): InformerStatus {
    return { ...this.status, objects: this.known.size };
  }

  /** Runs until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          if (this.listed) this.status.relists++;
          resourceVersion = await this.list(signal);
          this.listed = true;
        }
        this.status.state = 'synced';
        delete this.status.error;
        failures = 0;
        resourceVersion = await this.watch(resourceVersion, signal);
        this.status.watchRestarts++;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof FellBehind) {
          resourceVersion = undefined;
          continue;
        }
        if (err instanceof KubeApiError && err.gone) {
          // The resourceVersion is compacted away: what changed meanwhile is only known by listing.
          resourceVersion = undefined;
          continue;
        }
        this.status.error = err instanceof Error ? err.message : String(err);
        if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) {
          this.status.state = err.status === 403 ? 'forbidden' : 'unavailable';
          resourceVersion = undefined;
          await sleep(this.opts.deniedRetryMs, signal);
          continue;
        }
        // Changes the sink did not take are not known: list again to find them.
        if (err instanceof SinkFailed) resourceVersion = undefined;
        this.status.state = 'failing';
        failures++;
        await sleep(backoffMs(failures, this.opts.backoffBaseMs, this.opts.backoffMaxMs), signal);
      }
    }
    this.status.state = 'stopped';
    await this.draining?.catch(() => undefined);
  }

  /** Lists every page and hands on what differs from what is known; returns the list's resourceVersion. */
  private async list(signal: AbortSignal): Promise<string> {
    await this.settle();
    const items: RawObject[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string;
    let restarted = false;
    for (;;) {
      let page;
      try {
        page = await this.api.list(this.resource, { limit: this.opts.pageSize, continueToken }, signal);
      } catch (err) {
        // A continue token outlived its snapshot (compaction mid-list): start the list over, once.
        if (err instanceof KubeApiError && err.gone && continueToken !== undefined && !restarted) {
          restarted = true;
          items.length = 0;
          continueToken = undefined;
          continue;
        }
        throw err;
      }
      for (const item of page.items) {
        // A list's items carry no apiVersion/kind on a real server: set them first, so that
        // sanitize recognises a Secret and the snapshot and tombstone name their kind.
        item.apiVersion ??= this.apiVersion();
        item.kind ??= this.resource.kind;
        items.push(sanitize(item));
      }
      resourceVersion = page.resourceVersion;
      continueToken = page.continueToken;
      if (continueToken === undefined) break;
    }
    const observedMs = this.now();
    const changes: ObjectChange[] = [];
    const seen = new Set<string>();
    for (const object of items) {
      const key = keyOf(object);
      seen.add(key);
      const prev = this.known.get(key);
      const rv = object.metadata?.resourceVersion ?? '';
      if (prev && prev.resourceVersion === rv) continue;
      changes.push({ type: prev ? 'MODIFIED' : 'ADDED', object, observedMs });
    }
    for (const [key, k] of this.known) {
      if (!seen.has(key)) changes.push({ type: 'DELETED', object: k.stub, observedMs });
    }
    for (let i = 0; i < changes.length; i += this.opts.chunkSize) {
      await this.deliver(changes.slice(i, i + this.opts.chunkSize));
    }
    this.status.lastListMs = this.now();
    this.status.resourceVersion = resourceVersion;
    return resourceVersion;
  }

  /** Watches until the stream ends; returns the resourceVersion to resume from. */
  private async watch(from: string, signal: AbortSignal): Promise<string> {
    let resourceVersion = from;
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let behind = false;
    const timeout = this.opts.watchTimeoutSeconds;
    try {
      await this.api.watch(
        this.resource,
        from,
        Math.round(timeout + Math.random() * timeout),
        (e: WatchEvent) => {
          const rv = e.object.metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          if (e.type === 'BOOKMARK') return;
          if (behind) return;
          e.object.apiVersion ??= this.apiVersion();
          e.object.kind ??= this.resource.kind;
          const object = sanitize(e.object);
          this.status.lastChangeMs = this.now();
          this.pending.push({ type: e.type as ObjectChange['type'], object, observedMs: this.now() });
          if (this.pending.length > this.opts.maxPending) {
            behind = true;
            this.pending = [];
            abort.abort();
            return;
          }
          this.kickDrain();
        },
        abort.signal,
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (behind) {
      await this.settle();
      throw new FellBehind();
    }
    await this.settle();
    this.status.resourceVersion = resourceVersion;
    return resourceVersion;
  }

  private apiVersion(): string {
    return this.resource.group === ''
      ? this.resource.version
      : `${this.resource.group}/${this.resource.version}`;
  }

  /** Hands changes to the sink and records them as known once it accepted them. */
  private async deliver(changes: ObjectChange[]): Promise<void> {
    try {
      await this.sink(changes);
    } catch (err) {
      throw new SinkFailed(err);
    }
    for (const c of changes) {
      const key = keyOf(c.object);
      if (c.type === 'DELETED') this.known.delete(key);
      else
        this.known.set(key, {
          resourceVersion: c.object.metadata?.resourceVersion ?? '',
          stub: stubOf(c.object),
        });
    }
  }

  private kickDrain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      try {
        while (this.pending.length > 0) {
          const chunk = this.pending.splice(0, this.opts.chunkSize);
          await this.deliver(chunk);
        }
      } catch (err) {
        this.drainError = err instanceof SinkFailed ? err : new SinkFailed(err);
        this.pending = [];
      } finally {
        this.draining = undefined;
      }
    })();
  }

  /** Waits until every received change was handed on; rethrows a sink failure. */
  private async settle(): Promise<void> {
    while (this.draining) await this.draining;
    const err = this.drainError;
    this.drainError = undefined;
    if (err !== undefined) throw err;
  }
}
