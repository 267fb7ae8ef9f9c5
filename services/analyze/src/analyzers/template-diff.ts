import { list, rec, text, type Json } from './object-fields';

/** One difference between two pod templates, as a person would read it in a rollout review. */
export interface TemplateChange {
  container: string;
  /** `image`, `env DB_URL`, `resources.limits.memory`, `command`, `args`, `ports`, `readinessProbe`. */
  what: string;
  /** The field's text in the older template (`(none)` when absent). */
  from: string;
  to: string;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/**
 * The differences that matter for a failing rollout between an older and a newer pod template
 * (`spec.template` of a ReplicaSet, Deployment, StatefulSet or DaemonSet): images, env var names and
 * references, resources, command/args, ports and probes, per container. Plain env values and
 * command lines are reported as changed, never quoted: they may hold credentials.
 */
export function diffTemplates(older: unknown, newer: unknown): TemplateChange[] {
  const before = containersByName(older);
  const after = containersByName(newer);
  const out: TemplateChange[] = [];
  for (const name of before.keys())
    if (!after.has(name)) out.push({ container: name, what: 'container', from: name, to: '(removed)' });
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b) {
      out.push({ container: name, what: 'container', from: '(none)', to: name });
      continue;
    }
    const add = (what: string, from: string, to: string): void => {
      if (from !== to) out.push({ container: name, what, from, to });
    };
    add('image', text(b['image']) ?? '(none)', text(a['image']) ?? '(none)');
    for (const kind of ['limits', 'requests']) {
      const rb = rec(rec(b['resources'])[kind]);
      const ra = rec(rec(a['resources'])[kind]);
      for (const res of new Set([...Object.keys(rb), ...Object.keys(ra)]))
        add(`resources.${kind}.${res}`, shown(rb[res]), shown(ra[res]));
    }
    const eb = envByName(b);
    const ea = envByName(a);
    for (const key of new Set([...eb.keys(), ...ea.keys()])) {
      const vb = eb.get(key);
      const va = ea.get(key);
      if (vb === va) continue;
      out.push({
        container: name,
        what: `env ${key}`,
        from: vb === undefined ? '(none)' : describeEnv(vb),
        to:
          va === undefined
            ? '(removed)'
            : vb === undefined
              ? describeEnv(va)
              : `${describeEnv(va)} (changed)`,
      });
    }
    // Command lines may carry credentials (--password=...): say that they changed, never quote them.
    for (const field of ['command', 'args'])
      if (shown(b[field]) !== shown(a[field]))
        out.push({ container: name, what: field, from: 'before', to: 'changed' });
    for (const field of ['ports', ...PROBES]) add(field, shown(b[field]), shown(a[field]));
  }
  return out;
}

function containersByName(template: unknown): Map<string, Json> {
  const spec = rec(rec(template)['spec']);
  const out = new Map<string, Json>();
  for (const c of [...list(spec['initContainers']), ...list(spec['containers'])]) {
    const name = text(c['name']);
    if (name) out.set(name, c);
  }
  return out;
}

/** Env vars by name, each as a comparable text (a reference is kept; a value is hashed into text). */
function envByName(c: Json): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of list(c['env'])) {
    const name = text(e['name']);
    if (name) out.set(name, JSON.stringify(e['valueFrom'] ?? { value: e['value'] ?? '' }));
  }
  return out;
}

function describeEnv(encoded: string): string {
  const v = rec(JSON.parse(encoded));
  if ('value' in v) return 'a literal value';
  const cm = rec(v['configMapKeyRef']);
  if (text(cm['name'])) return `ConfigMap ${text(cm['name']) ?? ''} key ${text(cm['key']) ?? '?'}`;
  const s = rec(v['secretKeyRef']);
  if (text(s['name'])) return `Secret ${text(s['name']) ?? ''} key ${text(s['key']) ?? '?'}`;
  return 'a field reference';
}

function shown(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A one-line summary of changes: `api image a:1 → a:2; api env DB_URL changed`. */
export function changesText(changes: readonly TemplateChange[], max = 6): string {
  const parts = changes.slice(0, max).map((c) => `${c.container} ${c.what}: ${c.from} → ${c.to}`);
  if (changes.length > max) parts.push(`and ${changes.length - max} more`);
  return parts.join('; ');
}
