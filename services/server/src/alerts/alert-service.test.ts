import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Anomaly, type Incident } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { AlertService, type IncidentSink } from './alert-service';
import type { IncomingAlert, IncomingDelivery, ReceiverConfig } from './payloads';

const HOUR = 3_600_000;
const receiver = {
  name: 'am',
  source: 'alertmanager',
  clusterLabel: 'cluster',
  cluster: 'eu',
} as ReceiverConfig;

/** An incident pipeline that answers only when the test lets it: one incident per batch. */
class HeldSink implements IncidentSink {
  readonly batches: string[][] = [];
  private readonly held: (() => void)[] = [];
  holding = false;

  async anomalies(anomalies: readonly Anomaly[]): Promise<Incident[]> {
    this.batches.push(anomalies.map((a) => a.id));
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    return [
      {
        id: `inc_${this.batches.length}`,
        title: 't',
        status: 'open',
        severity: 'medium',
        startMs: 0,
        updatedMs: 0,
        resources: [],
        anomalyIds: anomalies.map((a) => a.id),
        rootCauses: [],
      },
    ];
  }

  release(): void {
    this.holding = false;
    for (const r of this.held.splice(0)) r();
  }
}

function delivery(fingerprint: string, status: 'firing' | 'resolved' = 'firing'): IncomingDelivery {
  const a: IncomingAlert = {
    fingerprint,
    name: `alert ${fingerprint}`,
    status,
    startsAt: 1_000,
    labels: { alertname: fingerprint },
    annotations: {},
  };
  return { alerts: [a], rejected: [], truncatedAlerts: 0 };
}

let dir: string;
let store: SqliteStore;
let sink: HeldSink;
let now: number;
let service: AlertService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-alerts-'));
  store = new SqliteStore({ path: join(dir, 'db'), synchronous: 'normal' });
  await store.start();
  sink = new HeldSink();
  now = 10 * HOUR;
  service = new AlertService({
    store,
    incidents: sink,
    resolver: { resolve: () => Promise.resolve([]) },
    knownClusters: () => ['eu'],
    logger: createLogger('silent'),
    maxPendingAlerts: 100,
    staleAfterMs: 2 * HOUR,
    now: () => now,
  });
});

afterEach(async () => {
  sink.release();
  await service.idle();
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('AlertService', () => {
  it('answers a delivery while the incident pipeline is still busy with an earlier one', async () => {
    sink.holding = true;
    await service.accept(receiver, delivery('a'));
    // The first delivery's correlation waits in the pipeline; the second is still stored and answered.
    const second = await service.accept(receiver, delivery('b'));
    expect(second.accepted).toBe(1);
    expect(await store.listAlerts({ limit: 10 })).toHaveLength(2);
    expect(sink.batches).toHaveLength(1);
    sink.release();
    await service.idle();
    expect(sink.batches).toHaveLength(2);
    const linked = await store.listAlerts({ limit: 10 });
    expect(linked.map((a) => a.incidentId).sort()).toEqual(['inc_1', 'inc_2']);
  });

  it('keeps the incident link and the repeat count when a repeat arrives while correlation runs', async () => {
    sink.holding = true;
    await service.accept(receiver, delivery('a'));
    const repeat = await service.accept(receiver, delivery('a'));
    expect(repeat.duplicates).toBe(1);
    sink.release();
    await service.idle();
    const [alert] = await store.listAlerts({ limit: 10 });
    expect(alert).toMatchObject({ incidentId: 'inc_1', deliveries: 2, status: 'firing' });
  });

  it('ends a firing alert no delivery renewed for staleAfterMs, and feeds its end to the incident', async () => {
    await service.accept(receiver, delivery('a'));
    await service.idle();
    now += HOUR;
    expect(await service.expireStale()).toBe(0);
    now += 2 * HOUR;
    expect(await service.expireStale()).toBe(1);
    const [alert] = await store.listAlerts({ limit: 10 });
    expect(alert).toMatchObject({ status: 'resolved', expired: true, endsAt: 10 * HOUR });
    expect(sink.batches).toHaveLength(2);
  });
});
