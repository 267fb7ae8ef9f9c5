import type { Logger } from '@sleuth/core';
import { keyValues, type JsonObject } from '@sleuth/pipeline';
import { backoffMs, sleep } from './backoff';
import type { OtlpSender } from './collector';
import type { ObjectChange } from './informer';
import { KubeApiError, type KubeApi } from './kube-api';
import { containerResource, podInfo, type ContainerInfo, type PodInfo } from './pods';
import { COLLECTOR_SCOPE } from './records';
import type { LabelSelector } from './selector';

export interface PodLogOptions {
  /** Namespaces whose pods' logs are collected; empty means every namespace. */
  namespaces: readonly string[];
  /** Only pods whose labels match. */
  selector?: LabelSelector | undefined;
  /** Follow streams open at once; containers beyond wait for a free one. */
  maxStreams: number;
  /** For a container already running when the collector starts: how far back to read. */
  initialSinceSeconds: number;
  /** Lines read from a terminated container the collector did not follow (the crash's last words). */
  previousTailLines: number;
  /** Lines per request to the sender; a partial batch goes after `flushMs`. */
  maxBatchLines: number;
  flushMs: number;
  /** Lines read but not yet sent beyond which the streams pause (TCP pushes back on the kubelet). */
  maxBufferedLines: number;
  /** A longer line is cut (marked) to this many bytes. */
  maxLineBytes: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long before asking again after pods/log was forbidden. */
  deniedRetryMs: number;
}

export const DEFAULT_POD_LOG_OPTIONS: PodLogOptions = {
  namespaces: [],
  maxStreams: 200,
  initialSinceSeconds: 600,
  previousTailLines: 1000,
  maxBatchLines: 1000,
  flushMs: 1000,
  maxBufferedLines: 20_000,
  maxLineBytes: 16 * 1024,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  deniedRetryMs: 300_000,
};

/** Pod log collection as /api/v1/clusters shows it. */
export interface PodLogStatus {
  /** `forbidden`: the service account may not get pods/log; `off`: not configured. */
  state: 'ok' | 'forbidden' | 'off';
  /** Containers whose log is being followed now. */
  following: number;
  /** Running containers waiting for a free stream (maxStreams reached). */
  waiting: number;
  /** Log lines sent since start. */
  lines: number;
  /** Terminated containers whose last log was read (previous=true or after the end). */
  terminatedLogs: number;
  /** Stream failures since start (each retried with backoff). */
  failures: number;
  error?: string;
}

/** A container the collector keeps track of. */
interface Target {
  key: string;
  pod: PodInfo;
  container: ContainerInfo;
  /** The follow loop runs (or waits for a stream). */
  active: boolean;
  /** Last line timestamp read per container instance (nanoseconds), to resume without repeats. */
  lastTs: Map<string, bigint>;
  /** The terminated instance whose log was last read, so it is read once. */
  terminatedRead: string | undefined;
  abort: AbortController | undefined;
  removed: boolean;
}

interface PendingLine {
  nanos: string;
  text: string;
  previous: boolean;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/** An RFC3339 timestamp (the kubelet's, nanosecond precision) as epoch nanoseconds; undefined if not one. */
export function rfc3339Nanos(ts: string): bigint | undefined {
  const m = RFC3339.exec(ts);
  if (!m) return undefined;
  const frac = m[1] ?? '';
  const ms = Date.parse(ts.replace(frac, ''));
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((frac.slice(1) + '000000000').slice(0, 9));
}

/** Nanoseconds as the RFC3339 second sinceTime takes (floored: the kubelet compares seconds). */
function sinceTimeOf(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000_000n) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Collects container logs from the kubelets through the API server's `pods/log`: follows the log
 * of every running container of the matching pods (at most `maxStreams` at once), picks up new
 * pods and restarted containers as the pods informer reports them, resumes a broken stream from
 * its last line without repeating it, and reads the last lines of a container that terminated
 * abnormally before the collector followed it (the `previous` log, where a crash's reason is).
 * Lines go to the sender as OTLP log records with the container's k8s.* resource attributes.
 */
export class PodLogs {
  private readonly targets = new Map<string, Target>();
  private readonly queue: Target[] = [];
  private streams = 0;
  private readonly startMs = Date.now();
  private signal: AbortSignal | undefined;
  private forbiddenUntil = 0;
  private stat: PodLogStatus = {
    state: 'ok',
    following: 0,
    waiting: 0,
    lines: 0,
    terminatedLogs: 0,
    failures: 0,
  };
  private readonly buffered = new Map<
    string,
    { resource: Record<string, string | number>; lines: PendingLine[] }
  >();
  /** Lines read and not yet accepted by the sender (in the buffer or in flight). */
  private bufferedLines = 0;
  /** Lines in the buffer, not yet in a request. */
  private pendingLines = 0;
  private roomWaiters: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly reads = new Set<Promise<void>>();

  constructor(
    private readonly api: KubeApi,
    private readonly cluster: string,
    private readonly sender: OtlpSender,
    private readonly opts: PodLogOptions,
    private readonly log: Logger,
  ) {}

  /** Starts following what `observe` reports until `signal` aborts; resolves when all streams ended. */
  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    this.pump();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    for (const t of this.targets.values()) t.abort?.abort();
    while (this.reads.size > 0) await Promise.allSettled([...this.reads]);
    clearTimeout(this.flushTimer);
    await this.flushing;
  }

  snapshot(): PodLogStatus {
    return { ...this.stat, following: this.streams, waiting: this.queue.length };
  }

  /** Takes the pods informer's changes: new, changed and deleted pods. */
  observe(changes: readonly ObjectChange[]): void {
    for (const change of changes) {
      const pod = podInfo(change.object);
      if (!pod) continue;
      if (change.type === 'DELETED' || !this.wanted(pod)) {
        this.forget(pod.uid);
        continue;
      }
      for (const container of pod.containers) this.update(pod, container);
    }
    this.pump();
  }

  private wanted(pod: PodInfo): boolean {
    if (this.opts.namespaces.length > 0 && !this.opts.namespaces.includes(pod.namespace)) return false;
    return this.opts.selector?.matches(pod.labels) ?? true;
  }

  private forget(uid: string): void {
    for (const [key, t] of this.targets) {
      if (!key.startsWith(`${uid}/`)) continue;
      t.removed = true;
      t.abort?.abort();
      this.targets.delete(key);
      const i = this.queue.indexOf(t);
      if (i >= 0) this.queue.splice(i, 1);
    }
  }

  private update(pod: PodInfo, container: ContainerInfo): void {
    const key = `${pod.uid}/${container.name}`;
    let t = this.targets.get(key);
    if (!t) {
      t = {
        key,
        pod,
        container,
        active: false,
        lastTs: new Map(),
        terminatedRead: undefined,
        abort: undefined,
        removed: false,
      };
      this.targets.set(key, t);
    }
    t.pod = pod;
    t.container = container;
    const term = container.terminated;
    if (term && t.terminatedRead !== term.id && this.shouldReadTerminated(t, term)) {
      t.terminatedRead = term.id;
      this.readTerminated(t, term);
    }
    if (container.running && !t.active) {
      t.active = true;
      this.queue.push(t);
    }
  }

  /**
   * A terminated instance's log is read when it ended abnormally (that is where the reason is) or
   * when it was followed (to pick up what a stream cut short missed; the last line read bounds it).
   */
  private shouldReadTerminated(t: Target, term: NonNullable<ContainerInfo['terminated']>): boolean {
    return (
      t.lastTs.has(term.id) || term.exitCode !== 0 || (term.reason !== 'Completed' && term.reason !== '')
    );
  }

  /** Starts waiting follow loops while streams are free. */
  private pump(): void {
    const signal = this.signal;
    if (!signal || signal.aborted) return;
    if (Date.now() < this.forbiddenUntil) return;
    while (this.streams < this.opts.maxStreams && this.queue.length > 0) {
      const t = this.queue.shift() as Target;
      if (t.removed) continue;
      this.streams++;
      this.track(
        this.follow(t, signal).finally(() => {
          this.streams--;
          t.active = false;
          // Running again (a new instance) while the loop was ending: queue it anew.
          if (!t.removed && t.container.running && !signal.aborted && !t.active) {
            t.active = true;
            this.queue.push(t);
          }
          this.pump();
        }),
      );
    }
  }

  private track(p: Promise<void>): void {
    this.reads.add(p);
    void p.finally(() => this.reads.delete(p));
  }

  /** Follows a container's log while it runs: one stream per instance, resumed after breaks. */
  private async follow(t: Target, signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted && !t.removed) {
      const running = t.container.running;
      if (!running) return;
      const last = t.lastTs.get(running.id);
      const query: Record<string, string | number | boolean> = {
        container: t.container.name,
        follow: true,
        timestamps: true,
      };
      if (last !== undefined) query['sinceTime'] = sinceTimeOf(last);
      else if (running.startedMs > 0 && running.startedMs < this.startMs - 5_000) {
        query['sinceSeconds'] = this.opts.initialSinceSeconds;
      }
      const abort = new AbortController();
      const onAbort = (): void => abort.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      t.abort = abort;
      let lines = 0;
      try {
        lines = await this.read(t, running.id, query, false, abort.signal);
      } catch (err) {
        if (signal.aborted || t.removed) return;
        if (!this.failed(t, err)) return;
        attempt++;
      } finally {
        signal.removeEventListener('abort', onAbort);
        t.abort = undefined;
      }
      if (signal.aborted || t.removed) return;
      // The stream ended: the container stopped (the informer will say so), or the server closed
      // it. Follow again while the same instance is said to run, backing off when nothing came.
      if (t.container.running?.id !== running.id) continue;
      attempt = lines > 0 ? 0 : attempt + 1;
      await sleep(backoffMs(Math.max(1, attempt), this.opts.backoffBaseMs, this.opts.backoffMaxMs), signal);
    }
  }

  /** Reads the log of a terminated instance once (its last `previousTailLines`, or since the last line read). */
  private readTerminated(t: Target, term: NonNullable<ContainerInfo['terminated']>): void {
    const signal = this.signal;
    if (!signal || signal.aborted) return;
    const query: Record<string, string | number | boolean> = {
      container: t.container.name,
      timestamps: true,
    };
    if (!term.current) query['previous'] = true;
    const last = t.lastTs.get(term.id);
    if (last !== undefined) query['sinceTime'] = sinceTimeOf(last);
    else query['tailLines'] = this.opts.previousTailLines;
    this.track(
      (async () => {
        try {
          await this.read(t, term.id, query, !term.current, signal);
          this.stat.terminatedLogs++;
        } catch (err) {
          if (signal.aborted) return;
          // Read again on the pod's next change (or after the denial's wait), unless it is gone.
          if (this.failed(t, err) || (err instanceof KubeApiError && err.status === 403)) {
            t.terminatedRead = undefined;
          }
        }
      })(),
    );
  }

  /**
   * Notes a failed read. Returns whether to retry: not when the pod is gone (404) or pods/log is
   * forbidden (then every stream waits `deniedRetryMs`).
   */
  private failed(t: Target, err: unknown): boolean {
    this.stat.failures++;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof KubeApiError && err.status === 403) {
      if (this.stat.state !== 'forbidden') {
        this.log.warn({ err: message }, 'pods/log is forbidden: container logs are not collected');
      }
      this.stat.state = 'forbidden';
      this.stat.error = message;
      this.forbiddenUntil = Date.now() + this.opts.deniedRetryMs;
      t.active = false;
      const retry = setTimeout(() => {
        this.stat.state = 'ok';
        delete this.stat.error;
        for (const x of this.targets.values()) this.update(x.pod, x.container);
        this.pump();
      }, this.opts.deniedRetryMs);
      retry.unref();
      this.signal?.addEventListener('abort', () => clearTimeout(retry), { once: true });
      return false;
    }
    if (err instanceof KubeApiError && err.status === 404) {
      this.forget(t.pod.uid);
      return false;
    }
    this.log.debug(
      { pod: `${t.pod.namespace}/${t.pod.name}`, container: t.container.name, err: message },
      'log stream failed',
    );
    return true;
  }

  /** Streams one log request into the batches; the number of new lines. */
  private async read(
    t: Target,
    instance: string,
    query: Record<string, string | number | boolean>,
    previous: boolean,
    signal: AbortSignal,
  ): Promise<number> {
    const path = `/api/v1/namespaces/${encodeURIComponent(t.pod.namespace)}/pods/${encodeURIComponent(t.pod.name)}/log`;
    const body = await this.api.stream(path, query, signal);
    const decoder = new TextDecoder();
    let rest = '';
    let count = 0;
    const resource = containerResource(this.cluster, t.pod, t.container);
    const take = async (line: string): Promise<void> => {
      if (line === '') return;
      const space = line.indexOf(' ');
      const nanos = space > 0 ? rfc3339Nanos(line.slice(0, space)) : undefined;
      if (nanos === undefined)
        return this.add(t.key, resource, { nanos: '', text: line, previous }, () => count++);
      const last = t.lastTs.get(instance);
      if (last !== undefined && nanos <= last) return;
      t.lastTs.set(instance, nanos);
      this.trimInstances(t);
      await this.add(
        t.key,
        resource,
        { nanos: nanos.toString(), text: line.slice(space + 1), previous },
        () => count++,
      );
    };
    try {
      for await (const chunk of body) {
        rest += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl).replace(/\r$/, '');
          rest = rest.slice(nl + 1);
          await take(line);
        }
      }
    } catch (err) {
      if (signal.aborted) return count;
      throw err;
    }
    rest += decoder.decode();
    if (rest !== '') await take(rest);
    return count;
  }

  /** Keeps the resume points of the last few instances only. */
  private trimInstances(t: Target): void {
    while (t.lastTs.size > 4) {
      const oldest = t.lastTs.keys().next().value as string;
      t.lastTs.delete(oldest);
    }
  }

  /** Buffers a line for sending; waits while the buffer is full. */
  private async add(
    key: string,
    resource: Record<string, string | number>,
    line: PendingLine,
    counted: () => void,
  ): Promise<void> {
    while (this.bufferedLines >= this.opts.maxBufferedLines && !this.signal?.aborted) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    const max = this.opts.maxLineBytes;
    if (Buffer.byteLength(line.text) > max) {
      line.text = `${Buffer.from(line.text)
        .subarray(0, max)
        .toString()
        .replace(/\uFFFD$/, '')}… [line cut at ${max} bytes]`;
    }
    let entry = this.buffered.get(key);
    if (!entry) {
      entry = { resource, lines: [] };
      this.buffered.set(key, entry);
    }
    entry.resource = resource;
    entry.lines.push(line);
    this.bufferedLines++;
    this.pendingLines++;
    counted();
    if (this.pendingLines >= this.opts.maxBatchLines) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.opts.flushMs);
  }

  /** Sends what is buffered, one request at a time, in the order read. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingLines === 0) return;
    const entries = [...this.buffered.values()];
    const n = this.pendingLines;
    this.pendingLines = 0;
    this.buffered.clear();
    const observed = (BigInt(Date.now()) * 1_000_000n).toString();
    const request: JsonObject = {
      resourceLogs: entries.map((e) => ({
        resource: { attributes: keyValues(e.resource) },
        scopeLogs: [
          {
            scope: COLLECTOR_SCOPE,
            logRecords: e.lines.map((l) => {
              const record: JsonObject = {
                observedTimeUnixNano: observed,
                body: { stringValue: l.text },
              };
              // The log of an earlier instance of the container, read after it terminated.
              if (l.previous) record['attributes'] = keyValues({ 'k8s.container.previous': true });
              if (l.nanos !== '') record['timeUnixNano'] = l.nanos;
              return record;
            }),
          },
        ],
      })),
    };
    this.flushing = this.flushing.then(async () => {
      try {
        await this.sender.send('logs', request, this.signal ? { signal: this.signal } : {});
        this.stat.lines += n;
      } catch (err) {
        if (!this.signal?.aborted) {
          this.log.error({ err: (err as Error).message, lines: n }, 'container log lines could not be sent');
        }
      } finally {
        this.bufferedLines -= n;
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        for (const w of waiters) w();
      }
    });
  }
}
