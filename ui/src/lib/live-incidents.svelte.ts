import { INCIDENT_STREAM_URL } from './api/incidents';
import type { IncidentNotice } from './api/types';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/**
 * Incident changes as they happen, over the server's Server-Sent Events stream. Pages read
 * `latest` (newest change per incident) and `version` (bumped on every change) to update
 * without a reload; `state` says whether the stream is up, so the UI can say when it is not.
 * EventSource reconnects by itself; while it does, the state is `reconnecting`.
 */
export class LiveIncidents {
  state: StreamState = $state('connecting');
  version = $state(0);
  latest: Map<string, IncidentNotice> = $state(new Map<string, IncidentNotice>());
  private source: EventSource | undefined;
  private readonly listeners = new Set<(n: IncidentNotice) => void>();

  start(url = INCIDENT_STREAM_URL): void {
    if (this.source) return;
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      this.state = 'live';
    };
    source.onerror = () => {
      this.state = 'reconnecting';
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream (not a dropped connection): try again later.
        this.source = undefined;
        setTimeout(() => this.start(url), 5000);
      }
    };
    source.addEventListener('incident', (e) => this.receive((e as MessageEvent<string>).data));
  }

  /** Applies one `incident` event's data. Exposed for tests. */
  receive(data: string): void {
    let notice: IncidentNotice;
    try {
      notice = JSON.parse(data) as IncidentNotice;
    } catch {
      return;
    }
    const next = new Map(this.latest);
    next.set(notice.id, notice);
    this.latest = next;
    this.version += 1;
    for (const l of this.listeners) l(notice);
  }

  /** Calls `listener` for each change from now on; returns the unsubscribe. */
  subscribe(listener: (n: IncidentNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.source?.close();
    this.source = undefined;
  }
}

let shared: LiveIncidents | undefined;

/** The page's one stream of incident changes. */
export function liveIncidents(): LiveIncidents {
  shared ??= new LiveIncidents();
  return shared;
}
