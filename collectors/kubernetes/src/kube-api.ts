import { HttpMethod, RequestContext, Watch, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { collectionPath, type WatchedResource } from './resources';

/** A Kubernetes object as the API serves it (JSON), with the metadata the collector relies on. */
export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

type Query = Record<string, string | number | boolean | undefined>;

/** One page of a list. */
export interface ListPage {
  items: RawObject[];
  resourceVersion: string;
  continueToken: string | undefined;
}

/** One line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: RawObject & { code?: number; reason?: string; message?: string };
}

/**
 * A failed API call, with what the API server said: the HTTP status (or the `code` of a Status
 * carried in a watch ERROR event), its `reason` (Forbidden, Expired, NotFound...) and message.
 */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  /** The resourceVersion asked for is older than the server keeps: list again. */
  get gone(): boolean {
    return this.status === 410;
  }
}

function statusMessage(body: unknown, fallback: string): { reason: string; message: string } {
  if (typeof body === 'object' && body !== null) {
    const s = body as { reason?: unknown; message?: unknown };
    return {
      reason: typeof s.reason === 'string' ? s.reason : '',
      message: typeof s.message === 'string' ? s.message : fallback,
    };
  }
  return { reason: '', message: fallback };
}

/**
 * The calls the collector makes, on @kubernetes/client-node's configuration and authentication
 * (tokens, client certificates, exec plugins, in-cluster service account): paginated lists and
 * discovery as plain GETs that keep the objects exactly as served (the client's typed models would
 * drop fields they do not know), and watches through the client's own `Watch`.
 */
export class KubeApi {
  private readonly watcher: Watch;

  constructor(private readonly kc: KubeConfig) {
    this.watcher = new Watch(kc);
  }

  /** The API server's URL, for status and messages. */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no current cluster)';
  }

  /** GET a path; the parsed JSON body, or a KubeApiError carrying the server's Status. */
  async get(path: string, query: Query = {}, signal?: AbortSignal): Promise<unknown> {
    const res = await this.request(path, query, 'application/json', signal);
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body === undefined)
      throw new KubeApiError(res.status, 'BadResponse', `${path}: response is not JSON`);
    return body;
  }

  /**
   * GET a path whose answer is a byte stream (pods/log with follow): the open body, read as it
   * arrives; aborting `signal` closes it. Fails like `get` when the server answers an error.
   */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const res = await this.request(path, query, '*/*', signal);
    if (!res.body) throw new KubeApiError(res.status, 'BadResponse', `${path}: response has no body`);
    return res.body as ReadableStream<Uint8Array>;
  }

  /** Sends an authenticated GET; the response when 2xx, else a KubeApiError from its Status body. */
  private async request(path: string, query: Query, accept: string, signal?: AbortSignal) {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError(0, 'NoCluster', 'the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), HttpMethod.GET);
    await this.kc.applySecurityAuthentication(ctx);
    let res;
    try {
      res = await fetch(url, {
        method: 'GET',
        headers: { ...ctx.getHeaders(), accept },
        dispatcher: ctx.getDispatcher(),
        signal: signal ?? null,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new KubeApiError(0, 'Unreachable', `${this.server}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text === '' ? undefined : { message: text.slice(0, 500) };
      }
      const { reason, message } = statusMessage(body, `${res.status} ${res.statusText}`.trim());
      throw new KubeApiError(res.status, reason, message);
    }
    return res;
  }

  /** Whether the server serves `group/version` (discovery); false on 404. */
  async serves(group: string, version: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.get(group === '' ? `/api/${version}` : `/apis/${group}/${version}`, {}, signal);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** One page of a cluster-wide list. */
  async list(
    resource: WatchedResource,
    opts: { limit: number; continueToken?: string | undefined },
    signal?: AbortSignal,
  ): Promise<ListPage> {
    const body = (await this.get(
      collectionPath(resource),
      { limit: opts.limit, continue: opts.continueToken },
      signal,
    )) as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
    if (!Array.isArray(body.items)) {
      throw new KubeApiError(0, 'BadResponse', `${collectionPath(resource)}: list has no items`);
    }
    const md = body.metadata ?? {};
    return {
      items: body.items as RawObject[],
      resourceVersion: typeof md.resourceVersion === 'string' ? md.resourceVersion : '',
      continueToken: typeof md.continue === 'string' && md.continue !== '' ? md.continue : undefined,
    };
  }

  /**
   * Watches a resource from `resourceVersion` with bookmarks. `onEvent` hears every event in order;
   * resolves when the stream ends (server timeout, `signal`), rejects with a KubeApiError when the
   * request fails (403, 410...) or an ERROR event arrives.
   */
  watch(
    resource: WatchedResource,
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let failure: KubeApiError | undefined;
      let controller: AbortController | undefined;
      let finished = false;
      // Until the server answered, the client's Watch has not handed out its controller: end at
      // once and abort the request when it does.
      const onAbort = (): void => {
        if (controller) controller.abort();
        else finish(undefined);
      };
      const finish = (err: unknown): void => {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        if (err && !signal.aborted && !isIdleTimeout(err)) {
          const status = (err as { statusCode?: unknown }).statusCode;
          return reject(
            typeof status === 'number'
              ? new KubeApiError(status, '', `watch ${collectionPath(resource)}: ${(err as Error).message}`)
              : new KubeApiError(
                  0,
                  'Unreachable',
                  `watch ${collectionPath(resource)}: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
                ),
          );
        }
        resolve();
      };
      this.watcher
        .watch(
          collectionPath(resource),
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
          (type: string, object: WatchEvent['object']) => {
            if (failure) return;
            if (type === 'ERROR') {
              const { reason, message } = statusMessage(object, 'watch error');
              failure = new KubeApiError(
                typeof object.code === 'number' ? object.code : 500,
                reason,
                message,
              );
              controller?.abort();
              return;
            }
            onEvent({ type: type as WatchEvent['type'], object });
          },
          finish,
        )
        .then((c) => {
          controller = c;
          if (finished || signal.aborted) c.abort();
        })
        .catch(finish);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The client's watch gives up after 30 s without a byte; for an informer that is a normal end. */
function isIdleTimeout(err: unknown): boolean {
  return (err as { name?: unknown }).name === 'TimeoutError';
}
