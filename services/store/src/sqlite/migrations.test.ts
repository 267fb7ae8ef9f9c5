import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StoreError,
  type Alert,
  type Conversation,
  type FixAction,
  type Incident,
  type Investigation,
  type NotificationDelivery,
} from '@sleuth/core';
import { batchOf, log, MINUTE, T0 } from '../contract/fixtures';
import { AnalysisTable } from './analysis-table';
import { openDatabase } from './connection';
import { ConversationTable } from './conversation-table';
import { InvestigationTable } from './investigation-table';
import { migrate, MIGRATIONS } from './migrations';
import { OpenStore } from './open-store';
import { SqliteStore } from './sqlite-store';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-migrate-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function openStore(path: string, writeThread: boolean): Promise<SqliteStore> {
  const store = new SqliteStore({ path, synchronous: 'normal', writeThread });
  await store.start();
  return store;
}

/** A database file at `version`, as a Sleuth of that version left it. */
function databaseAt(version: number, path: string): Database.Database {
  const db = openDatabase({ path, synchronous: 'normal' });
  const steps = MIGRATIONS.filter((m) => m.version <= version);
  expect(migrate(db, steps)).toEqual(steps.map((m) => m.version));
  return db;
}

const incident: Incident = {
  id: 'inc_v1',
  title: 'cart is crash-looping',
  status: 'open',
  severity: 'high',
  startMs: T0,
  updatedMs: T0 + MINUTE,
  resources: [{ cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart' }],
  anomalyIds: [],
  rootCauses: [],
};

describe('schema migrations', () => {
  it('applies only the migrations an older database lacks', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual([1, 2, 3, 4]);
    const next = {
      version: 5,
      name: 'test column',
      up: (d: Database.Database) => d.exec('ALTER TABLE logs ADD COLUMN extra TEXT'),
    };
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([5]);
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([]);
    expect(() => migrate(db)).toThrow(StoreError);
    db.close();
  });
});

describe('SqliteStore on a database of schema version 1', () => {
  for (const writeThread of [false, true]) {
    it(`migrates it to version 4 and keeps its incidents${writeThread ? ' (writer thread)' : ''}`, async () => {
      const path = join(tempDir(), 'v1.db');
      const old = databaseAt(1, path);
      new AnalysisTable(old).putIncident(incident);
      old.close();

      const store = await openStore(path, writeThread);
      try {
        expect((await store.stats()).schemaVersion).toBe(4);
        expect(await store.getIncident('inc_v1')).toEqual(incident);
        const conversation = {
          id: 'cv_1',
          title: 'why is cart crash-looping?',
          pin: { incidentId: 'inc_v1' },
          createdMs: T0 + 2 * MINUTE,
          updatedMs: T0 + 2 * MINUTE,
        };
        await store.putConversation(conversation);
        await store.appendMessage({
          id: 'm1',
          conversationId: 'cv_1',
          role: 'user',
          text: 'why?',
          createdMs: T0 + 3 * MINUTE,
        });
        await store.putInvestigation({
          id: 'inv_1',
          incidentId: 'inc_v1',
          stateKey: 'st',
          promptFingerprint: 'pf',
          status: 'running',
          createdMs: T0 + 2 * MINUTE,
          updatedMs: T0 + 2 * MINUTE,
        });
        expect(await store.listConversations({ incidentId: 'inc_v1' })).toEqual([
          { ...conversation, updatedMs: T0 + 3 * MINUTE },
        ]);
        expect((await store.listMessages('cv_1')).map((m) => m.text)).toEqual(['why?']);
        expect((await store.listInvestigations('inc_v1')).map((i) => i.id)).toEqual(['inv_1']);
        expect((await store.listIncidents({})).map((i) => i.id)).toEqual(['inc_v1']);
      } finally {
        await store.stop();
      }
    });
  }
});

describe('SqliteStore on a database of schema version 2', () => {
  const conversation: Conversation = {
    id: 'cv_1',
    title: 'why is cart crash-looping?',
    pin: { incidentId: 'inc_v1' },
    createdMs: T0 + 2 * MINUTE,
    updatedMs: T0 + 3 * MINUTE,
  };
  const message = {
    id: 'm1',
    conversationId: 'cv_1',
    role: 'user' as const,
    text: 'why?',
    createdMs: T0 + 3 * MINUTE,
  };
  const investigation: Investigation = {
    id: 'inv_1',
    incidentId: 'inc_v1',
    stateKey: 'st',
    promptFingerprint: 'pf',
    status: 'running',
    createdMs: T0 + 2 * MINUTE,
    updatedMs: T0 + 2 * MINUTE,
  };
  const alert: Alert = {
    id: 'alt_1',
    receiver: 'am-prod',
    source: 'alertmanager',
    fingerprint: 'fp_1',
    name: 'KubePodCrashLooping',
    status: 'firing',
    startsAt: T0,
    labels: { alertname: 'KubePodCrashLooping' },
    annotations: {},
    cluster: 'prod-eu',
    resources: [],
    incidentId: 'inc_v1',
    receivedMs: T0 + 4 * MINUTE,
    updatedMs: T0 + 4 * MINUTE,
    deliveries: 1,
  };
  const notification: NotificationDelivery = {
    id: 'ntf_1',
    channel: 'slack-sre',
    incidentId: 'inc_v1',
    event: 'opened',
    status: 'pending',
    attempts: 0,
    createdMs: T0 + 4 * MINUTE,
    updatedMs: T0 + 4 * MINUTE,
    payload: '{"text":"cart is crash-looping"}',
  };

  const fixAction: FixAction = {
    id: 'fix_1',
    incidentId: 'inc_v1',
    atMs: T0 + 5 * MINUTE,
    trigger: 'api',
    actor: 'api 127.0.0.1',
    outcome: 'declined',
    provider: 'local',
    code: 'no-patch',
    reason: 'the analyzer proposes no manifest change for crash-loop',
  };

  for (const writeThread of [false, true]) {
    it(`migrates it to version 4 and keeps everything it held${writeThread ? ' (writer thread)' : ''}`, async () => {
      const path = join(tempDir(), 'v2.db');
      const old = databaseAt(2, path);
      new OpenStore(old, () => false).write(batchOf({ logs: [log({ timeMs: T0, body: 'cart OOMKilled' })] }));
      new AnalysisTable(old).putIncident(incident);
      const chat = new ConversationTable(old);
      chat.putConversation(conversation);
      chat.appendMessage(message);
      new InvestigationTable(old).put(investigation);
      old.close();

      const store = await openStore(path, writeThread);
      try {
        const stats = await store.stats();
        expect(stats.schemaVersion).toBe(4);
        expect(stats.counts).toMatchObject({
          logs: 1,
          incidents: 1,
          conversations: 1,
          chatMessages: 1,
          investigations: 1,
          alerts: 0,
          notifications: 0,
          fixActions: 0,
        });
        expect((await store.searchLogs({ q: 'OOMKilled' })).records.map((r) => r.body)).toEqual([
          'cart OOMKilled',
        ]);
        expect(await store.getIncident('inc_v1')).toEqual(incident);
        expect(await store.getConversation('cv_1')).toEqual(conversation);
        expect(await store.listMessages('cv_1')).toEqual([message]);
        expect(await store.getInvestigation('inv_1')).toEqual(investigation);

        await store.putAlerts([alert]);
        await store.putNotification(notification);
        expect(await store.listAlerts({ incidentId: 'inc_v1' })).toEqual([alert]);
        expect(await store.listNotifications({ incidentId: 'inc_v1' })).toEqual([notification]);
        await store.appendFixAction(fixAction);
        expect(await store.listFixActions({ incidentId: 'inc_v1' })).toEqual([fixAction]);
        expect((await store.stats()).counts).toMatchObject({ alerts: 1, notifications: 1, fixActions: 1 });
      } finally {
        await store.stop();
      }
      const db = new Database(path, { readonly: true });
      const versions = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      db.close();
      expect(versions).toEqual([
        { version: 1, name: 'initial schema' },
        { version: 2, name: 'conversations and investigations' },
        { version: 3, name: 'alerts and notifications' },
        { version: 4, name: 'remediation audit log' },
      ]);
    });
  }
});
