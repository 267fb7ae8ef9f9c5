/**
 * A label selector in kubectl's text syntax (`app=web,tier!=cache,env in (prod,staging),!canary`),
 * parsed once; `matches` tests a set of labels. Every requirement must hold; an empty selector
 * matches everything.
 */
export interface LabelSelector {
  readonly text: string;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

type Requirement =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'absent'; key: string };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Splits on commas that are not inside parentheses. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((t) => t.trim());
}

function checkKey(key: string, term: string): string {
  if (!KEY.test(key)) throw new Error(`label selector: "${key}" is not a valid label key (in "${term}")`);
  return key;
}

function checkValue(value: string, term: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new Error(`label selector: "${value}" is not a valid label value (in "${term}")`);
  }
  return value;
}

function requirement(term: string): Requirement {
  let m = /^!\s*(\S+)$/.exec(term);
  if (m) return { op: 'absent', key: checkKey(m[1] ?? '', term) };
  m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const values = (m[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw new Error(`label selector: "${term}" lists no values`);
    return {
      op: m[2] === 'in' ? 'in' : 'notin',
      key: checkKey(m[1] ?? '', term),
      values: values.map((v) => checkValue(v, term)),
    };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    return {
      op: m[2] === '!=' ? 'ne' : 'eq',
      key: checkKey(m[1] ?? '', term),
      value: checkValue(m[3] ?? '', term),
    };
  }
  if (/^\S+$/.test(term)) return { op: 'exists', key: checkKey(term, term) };
  throw new Error(`label selector: cannot parse "${term}"`);
}

/** Parses a selector; throws an Error naming the bad term. */
export function parseLabelSelector(text: string): LabelSelector {
  const reqs = text.trim() === '' ? [] : terms(text).map(requirement);
  return {
    text,
    matches(labels) {
      const l = labels ?? {};
      return reqs.every((r) => {
        const has = Object.hasOwn(l, r.key);
        const v = l[r.key];
        switch (r.op) {
          case 'eq':
            return has && v === r.value;
          case 'ne':
            return !has || v !== r.value;
          case 'in':
            return has && r.values.includes(v ?? '');
          case 'notin':
            return !has || !r.values.includes(v ?? '');
          case 'exists':
            return has;
          case 'absent':
            return !has;
        }
      });
    },
  };
}
