import * as models from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { isQuantity } from '@sleuth/core';

/** One field of a generated Kubernetes model, as @kubernetes/client-node describes it. */
interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}

/**
 * The models of the Kubernetes OpenAPI schema (release 1.36) generated into
 * @kubernetes/client-node: one class per schema definition with its fields' names and types.
 */
const MODELS = models as unknown as Record<string, ModelClass | undefined>;

/** API groups whose kinds are named `V<version><Kind>` in the generated models. */
const GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
]);

/** Models whose string maps hold resource quantities, which JSON may also write as numbers. */
const QUANTITY_MAPS = new Set(['V1ResourceRequirements', 'V1VolumeResourceRequirements']);

const MAX_PROBLEMS = 200;

/** The model class of `apiVersion` + `kind`, or undefined for kinds the schema does not know (CRDs). */
export function modelFor(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!GROUPS.has(group) || !/^v\d+((alpha|beta)\d+)?$/.test(version)) return undefined;
  const name = `V${version.slice(1)}${kind}`;
  return MODELS[name]?.getAttributeTypeMap ? name : undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a map' : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

class Checker {
  readonly problems: string[] = [];

  constructor(private readonly partial: boolean) {}

  private problem(path: string, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${path || '(root)'}: ${message}`);
  }

  check(value: unknown, type: string, format: string, path: string, owner: string): void {
    // Null clears a field in a patch and is a valid "unset" in a manifest.
    if (value === null || value === undefined) return;
    const list = /^Array<(.+)>$/.exec(type);
    if (list?.[1]) {
      if (!Array.isArray(value)) return this.problem(path, `expected a list, got ${describe(value)}`);
      value.forEach((item, i) => this.check(item, list[1] ?? 'any', '', `${path}[${i}]`, owner));
      return;
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map?.[1]) {
      if (typeof value !== 'object' || Array.isArray(value))
        return this.problem(path, `expected a map, got ${describe(value)}`);
      for (const [k, v] of Object.entries(value)) {
        if (QUANTITY_MAPS.has(owner) && map[1] === 'string') this.quantity(v, `${path}.${k}`);
        else this.check(v, map[1], '', `${path}.${k}`, owner);
      }
      return;
    }
    switch (type) {
      case 'any':
        return;
      case 'string':
      case 'Date':
        if (typeof value !== 'string') this.problem(path, `expected a string, got ${describe(value)}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.problem(path, `expected true or false, got ${describe(value)}`);
        return;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value))
          this.problem(path, `expected a number, got ${describe(value)}`);
        else if (format.startsWith('int') && !Number.isInteger(value))
          this.problem(path, `expected an integer, got ${value}`);
        return;
      case 'IntOrString':
        if (typeof value === 'string' ? value === '' : !Number.isInteger(value))
          this.problem(path, `expected an integer or a name, got ${describe(value)}`);
        return;
      default:
        this.object(value, type, path);
    }
  }

  private quantity(v: unknown, path: string): void {
    if (typeof v === 'number' ? !Number.isFinite(v) || v < 0 : typeof v !== 'string' || !isQuantity(v))
      this.problem(path, `expected a Kubernetes quantity (e.g. 512Mi, 250m), got ${describe(v)}`);
  }

  object(value: unknown, model: string, path: string): void {
    const cls = MODELS[model];
    if (!cls?.getAttributeTypeMap) return; // a type the generated models do not describe
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return this.problem(
        path,
        `expected a map (${model.replace(/^V\d+((alpha|beta)\d+)?/, '')}), got ${describe(value)}`,
      );
    const fields = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a]));
    for (const [key, v] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const field = fields.get(key);
      if (!field) {
        // A strategic-merge patch may carry its directives.
        if (this.partial && key.startsWith('$')) continue;
        this.problem(at, 'unknown field (the Kubernetes schema has no such field here)');
        continue;
      }
      this.check(v, field.type, field.format, at, model);
    }
  }
}

/**
 * Checks an object against the Kubernetes OpenAPI schema of its kind, as `kubectl apply
 * --validate=strict` would: every field must exist in the schema where it is, and hold the type
 * the schema gives it (integers, booleans, strings, lists, maps, int-or-string ports, resource
 * quantities). Required fields are not checked (`partial` objects, like overlay patches, lack
 * them anyway). Answers undefined when the schema does not know the kind (custom resources).
 */
export function schemaProblems(
  object: Record<string, unknown>,
  opts: { partial?: boolean } = {},
): string[] | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const model = modelFor(apiVersion, kind);
  if (!model) return undefined;
  const checker = new Checker(opts.partial ?? false);
  checker.object(object, model, '');
  return checker.problems;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The schema problems an edit brings: those of `after` that `before` did not have. A problem the
 * manifest already had is not the fix's to solve, and must not block it.
 */
export function introducedProblems(
  before: unknown,
  after: unknown,
  opts: { partial?: boolean } = {},
): string[] {
  if (!isRecord(after)) return [];
  const had = new Set(isRecord(before) ? (schemaProblems(before, opts) ?? []) : []);
  return (schemaProblems(after, opts) ?? []).filter((p) => !had.has(p));
}
