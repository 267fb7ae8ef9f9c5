import { describe } from 'vitest';
import { alertContract } from './contract/alert-contract';
import { chatContract } from './contract/chat-contract';
import { fixActionContract } from './contract/fix-action-contract';
import { logContract } from './contract/log-contract';
import { metricContract } from './contract/metric-contract';
import { objectAnalysisContract } from './contract/object-analysis-contract';
import { retentionContract } from './contract/retention-contract';
import { traceEventContract } from './contract/trace-event-contract';
import { writeFailureContract } from './contract/write-failure-contract';
import type { MakeStore } from './contract/harness';

export type { MakeStore, StoreHarness } from './contract/harness';

/**
 * The behaviour every Store must show, as a vitest suite: call it from an implementation's test
 * file with a factory that returns a started, empty store. It checks what a user would notice:
 * every signal kind round-trips with all its fields; log search by words, phrases, prefixes,
 * exclusions, every filter, severities, trace id and window, newest first, paged by cursor
 * without gaps or repeats; invalid queries rejected with ValidationError; series listing and
 * range queries (raw, stepped, rate across a counter reset); traces; event upsert by uid; object
 * state, history and tombstones; anomalies and incidents; conversations, their messages and
 * investigations (round trips with full answers, ordering, paging, a missing conversation);
 * alerts and notification deliveries (round trips with every field, replacement by id, lookup of
 * thousands of ids, each filter, paging, a batch with an invalid alert stored not at all);
 * the remediation audit log (append-only, filters, paging);
 * retention by age and by size, which keeps analysis, chat, alerts, notifications and the audit log; stats
 * counts; no write failure reported by a healthy store; and durability across a reopen (when the
 * harness can reopen).
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    logContract(makeStore);
    metricContract(makeStore);
    traceEventContract(makeStore);
    objectAnalysisContract(makeStore);
    retentionContract(makeStore);
    chatContract(makeStore);
    alertContract(makeStore);
    fixActionContract(makeStore);
    writeFailureContract(makeStore);
  });
}
