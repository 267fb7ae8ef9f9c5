import type { Database } from 'better-sqlite3';
import type { StoreStats } from '../store';
import { currentVersion } from './migrations';
import { usedBytes } from './retention';

/**
 * What the store holds. Logs, metric points and spans are counted as they are written and deleted
 * (signal_counts), since counting those tables would read them whole; the rest are small enough to
 * count.
 */
export function readStats(db: Database): StoreStats {
  const count = (table: string): number =>
    Number(db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0);
  const signal = (kind: string): number =>
    Number(db.prepare<[string], number>('SELECT n FROM signal_counts WHERE kind = ?').pluck().get(kind) ?? 0);
  return {
    counts: {
      logs: signal('logs'),
      metrics: signal('metrics'),
      spans: signal('spans'),
      events: count('events'),
      objects: count('objects'),
      series: count('metric_series'),
      anomalies: count('anomalies'),
      incidents: count('incidents'),
      conversations: count('conversations'),
      chatMessages: count('chat_messages'),
      investigations: count('investigations'),
      alerts: count('alerts'),
      notifications: count('notifications'),
      fixActions: count('fix_actions'),
    },
    bytes: usedBytes(db),
    schemaVersion: currentVersion(db),
  };
}
