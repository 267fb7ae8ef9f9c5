import type { AuditEntry, AuditFilters } from '../../lib/api/admin';
import type { Scope } from '../../lib/api/auth';
import { describeScope } from './scope-text';

/** Entries a page of the audit table asks for. */
export const AUDIT_PAGE = 100;

export const OUTCOMES = ['ok', 'denied', 'failed'] as const;

/**
 * Actions Sleuth writes, for the action filter's suggestions; a prefix (`token`) matches every
 * action under it.
 */
export const KNOWN_ACTIONS = [
  'access.denied',
  'auth',
  'auth.setup',
  'auth.sign_in',
  'auth.sign_out',
  'user',
  'user.created',
  'user.updated',
  'user.deleted',
  'user.password',
  'token',
  'token.created',
  'token.revoked',
  'token.used',
  'chat',
  'investigation.started',
  'fix.proposed',
  'fix.pull_request',
  'settings.llm_test',
  'simulator',
] as const;

function positiveInt(text: string | null): number | undefined {
  if (text === null || !/^[1-9]\d*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The audit filters a URL's query string holds: `action`, `actor`, `outcome`, `from` and `to` in
 * epoch ms, and `before`, a sequence number to start below (a link to a broken entry).
 */
export function auditFilters(q: URLSearchParams): AuditFilters {
  const outcome = OUTCOMES.find((o) => o === q.get('outcome'));
  return {
    action: q.get('action') || undefined,
    actor: q.get('actor') || undefined,
    outcome,
    from: positiveInt(q.get('from')),
    to: positiveInt(q.get('to')),
    before: positiveInt(q.get('before')),
    limit: AUDIT_PAGE,
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Epoch ms as a `datetime-local` value (local time, to the minute). */
export function localInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as epoch ms, or undefined when empty or not a time. */
export function parseLocalInput(text: string): number | undefined {
  if (!text) return undefined;
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Who did it, as the table shows it. */
export function actorText(actor: AuditEntry['actor']): string {
  const who = actor.name ?? actor.id;
  if (actor.kind === 'token') return `token ${who ?? '?'}`;
  if (actor.kind === 'anonymous') return who ?? 'anonymous';
  return who ?? actor.kind;
}

function isScope(v: unknown): v is Scope {
  return (
    v === 'all' ||
    (Array.isArray(v) &&
      v.every(
        (g) =>
          typeof g === 'object' && g !== null && typeof (g as { cluster?: unknown }).cluster === 'string',
      ))
  );
}

function detailText(key: string, v: unknown): string {
  if (key === 'scope' && isScope(v)) return describeScope(v);
  // Times are epoch ms under a key ending in Ms (expiresMs).
  if (key.endsWith('Ms') && typeof v === 'number') return new Date(v).toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** An entry's details on one line: `route: DELETE /tokens/:id · status: 200 · scope: prod-eu`. */
export function detailsText(details: AuditEntry['details']): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${detailText(k, v)}`)
    .join(' · ');
}
