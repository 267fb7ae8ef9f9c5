import { decline, type Decline } from '../decline';
import type { ObjectPath } from '../edit/yaml-edit';
import { formatFieldPath, valueAt, type PathSegment } from '../field-path';
import type { KObject, KSource } from './kustomize';

/** Where an edit of one field goes: a document of a file and the path inside that object. */
export interface FieldSource {
  file: string;
  documentIndex: number;
  objectPath: ObjectPath;
  fieldPath: PathSegment[];
  /**
   * `helm-values`: a setting in a Helm values file (or a wrapper's inline values) that a chart
   * template renders into the field; `helm-template`: the template itself (no field asked for).
   */
  via: 'plain' | 'kustomize-base' | 'kustomize-patch' | 'kustomize-images' | 'helm-values' | 'helm-template';
  /** For a patch or an `images:` entry, the kustomization that applies it. */
  kustomization?: string;
}

/** `spec.template.spec.containers[name=api].image` and the like: a container's image. */
export function isImageField(field: readonly PathSegment[]): boolean {
  const n = field.length;
  const last = field[n - 1];
  const list = field[n - 3];
  return (
    last?.kind === 'key' &&
    last.key === 'image' &&
    field[n - 2]?.kind === 'match' &&
    list?.kind === 'key' &&
    (list.key === 'containers' || list.key === 'initContainers')
  );
}

/** The name part of an image reference: `ghcr.io/acme/cart:1.4` → `ghcr.io/acme/cart`. */
export function imageName(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The value of a field as the cluster would get it: the last strategic-merge patch that sets
 * it, else the manifest. Right for single values; lists and maps that patches merge into are
 * read from the last document that has them.
 */
export function effectiveValue(o: KObject, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  for (const p of [...o.patches].reverse()) {
    const v = valueAt(p.value, path);
    if (v.found) return v;
  }
  return valueAt(o.base.value, path);
}

function fromSource(s: KSource, field: PathSegment[], via: FieldSource['via']): FieldSource {
  return {
    file: s.file,
    documentIndex: s.documentIndex,
    objectPath: s.objectPath,
    fieldPath: field,
    via,
    ...(via === 'kustomize-patch' ? { kustomization: s.kustomization } : {}),
  };
}

/**
 * Where a field of a Kustomize-rendered object is defined, so the edit goes there: the
 * `images:` entry that sets a container's image, else the last patch that sets the field, else
 * the base manifest. Declines when Kustomize features Sleuth does not model could set it.
 */
export function kustomizeFieldSource(o: KObject, field: PathSegment[], what: string): FieldSource | Decline {
  const where = formatFieldPath(field);
  if (o.unsupported.length > 0)
    return decline(
      'unsupported',
      `${what} is rendered with Kustomize features Sleuth does not model yet (${o.unsupported.join('; ')}); edit ${where} by hand`,
    );
  if (isImageField(field)) {
    const current = effectiveValue(o, field).value;
    let name = typeof current === 'string' ? imageName(current) : undefined;
    let rule: KObject['images'][number] | undefined;
    for (const r of o.images)
      if (r.name === name) {
        rule = r;
        if (r.newName) name = r.newName;
      }
    if (rule)
      return {
        file: rule.kustomization,
        documentIndex: 0,
        objectPath: [],
        fieldPath: [
          { kind: 'key', key: 'images' },
          { kind: 'index', index: rule.index },
          { kind: 'key', key: 'newTag' },
        ],
        via: 'kustomize-images',
        kustomization: rule.kustomization,
      };
  }
  if (o.json6902.length > 0)
    return decline(
      'unsupported',
      `${what} is also changed by JSON 6902 patches in ${[...new Set(o.json6902)].join(', ')}; Sleuth cannot tell yet whether they set ${where}`,
    );
  const top = field[0]?.kind === 'key' ? field[0].key : '';
  const second = field[1]?.kind === 'key' ? field[1].key : '';
  if (top === 'spec' && second === 'selector' && o.selectorLabels.length > 0)
    return decline(
      'unsupported',
      `the selector of ${what} also gets labels from ${o.selectorLabels.join(', ')}; change it there by hand`,
    );
  const indexAt = field.findIndex((s) => s.kind === 'index');
  for (const p of [...o.patches].reverse()) {
    if (indexAt > 0 && valueAt(p.value, field.slice(0, indexAt)).found)
      return decline(
        'unsupported',
        `${p.file} patches the list ${formatFieldPath(field.slice(0, indexAt))} of ${what}, whose items Sleuth cannot match by position; edit ${where} by hand`,
      );
    if (!valueAt(p.value, field).found) continue;
    if (p.inline)
      return decline(
        'unsupported',
        `${where} of ${what} is set by an inline patch in ${p.kustomization}; move the patch to a file or edit it by hand`,
      );
    if (p.sharedBy > 1)
      return decline(
        'needs-person',
        `${where} of ${what} is set by ${p.file}, which patches ${p.sharedBy} objects; changing it would change them all`,
      );
    return fromSource(p, field, 'kustomize-patch');
  }
  return fromSource(o.base, field, 'kustomize-base');
}
