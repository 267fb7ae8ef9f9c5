import { describe, expect, it } from 'vitest';
import { openAuthDb } from './auth-db';
import { AuditLog } from './audit-log';

function log(): { audit: AuditLog; db: ReturnType<typeof openAuthDb> } {
  const db = openAuthDb(':memory:');
  let t = 1_000;
  return { audit: new AuditLog(db, () => (t += 10)), db };
}

describe('AuditLog', () => {
  it('lists newest first, filters by action prefix, actor and outcome, and pages by sequence', () => {
    const { audit } = log();
    audit.append({ actor: { kind: 'user', id: 'u1', name: 'ann' }, action: 'auth.sign_in', outcome: 'ok' });
    audit.append({ actor: { kind: 'token', id: 't1', name: 'ci' }, action: 'token.used', outcome: 'denied' });
    audit.append({
      actor: { kind: 'user', id: 'u1', name: 'ann' },
      action: 'token.created',
      target: 't2',
      outcome: 'ok',
    });
    expect(audit.list({ limit: 10 }).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(audit.list({ action: 'token', limit: 10 }).map((e) => e.action)).toEqual([
      'token.created',
      'token.used',
    ]);
    expect(audit.list({ action: 'token.used', limit: 10 })).toHaveLength(1);
    // `_` is not a wildcard: auth_sign would match auth.sign_in if it were.
    expect(audit.list({ action: 'auth_sign', limit: 10 })).toHaveLength(0);
    expect(audit.list({ actorId: 'u1', outcome: 'ok', limit: 10 })).toHaveLength(2);
    expect(audit.list({ before: 3, limit: 1 }).map((e) => e.seq)).toEqual([2]);
  });

  it('finds an entry changed behind the database’s back', () => {
    const { audit, db } = log();
    for (let i = 0; i < 5; i++) audit.append({ actor: { kind: 'system' }, action: `a.${i}`, outcome: 'ok' });
    expect(audit.verify()).toEqual({ entries: 5, intact: true });
    // Someone with the file drops the guard and rewrites history.
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET outcome = 'denied' WHERE seq = 3").run();
    expect(audit.verify()).toMatchObject({ intact: false, brokenAt: 3 });
  });

  it('finds an entry removed from the middle', () => {
    const { audit, db } = log();
    for (let i = 0; i < 4; i++) audit.append({ actor: { kind: 'system' }, action: `a.${i}`, outcome: 'ok' });
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE seq = 2').run();
    expect(audit.verify()).toMatchObject({ intact: false, brokenAt: 3 });
  });
});
