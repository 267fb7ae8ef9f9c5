import { list, rec, stringMap, text } from './object-fields';

/**
 * Whether labels match a Kubernetes label selector: either a plain map (a Service's selector) or a
 * LabelSelector with matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). An empty
 * selector matches everything, as the API defines it for NetworkPolicy and PDB.
 */
export function matchesSelector(labels: Record<string, string>, selector: unknown): boolean {
  const sel = rec(selector);
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const plain = isLabelSelector ? stringMap(sel['matchLabels']) : stringMap(sel);
  for (const [k, v] of Object.entries(plain)) if (labels[k] !== v) return false;
  if (!isLabelSelector) return true;
  for (const e of list(sel['matchExpressions'])) {
    const key = text(e['key']) ?? '';
    const values = Array.isArray(e['values']) ? e['values'].filter((x) => typeof x === 'string') : [];
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (e['operator']) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A selector as `k=v,k2 in (a,b)` text, for titles and explanations. */
export function selectorText(selector: unknown): string {
  const sel = rec(selector);
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const parts = Object.entries(isLabelSelector ? stringMap(sel['matchLabels']) : stringMap(sel)).map(
    ([k, v]) => `${k}=${v}`,
  );
  for (const e of list(sel['matchExpressions'])) {
    const values = Array.isArray(e['values']) ? e['values'].filter((x) => typeof x === 'string') : [];
    parts.push(`${text(e['key']) ?? '?'} ${text(e['operator']) ?? '?'} (${values.join(',')})`);
  }
  return parts.length === 0 ? '(everything)' : parts.join(',');
}
