import type { ManifestPatch } from '@sleuth/core';
import type { PathSegment } from '../field-path';

/** ` -n shop`, or nothing for an object without a namespace. Names are checked before they get here. */
export function nsFlag(patch: ManifestPatch): string {
  return patch.namespace ? ` -n ${patch.namespace}` : '';
}

/** `deployment/cart`. */
export function objectArg(patch: ManifestPatch): string {
  return `${patch.kind.toLowerCase()}/${patch.name}`;
}

/** A field path as kubectl JSONPath: `.spec.template.spec.containers[?(@.name=="api")].resources`. */
export function jsonPath(path: readonly PathSegment[]): string {
  return path
    .map((s) =>
      s.kind === 'key' ? `.${s.key}` : s.kind === 'index' ? `[${s.index}]` : `[?(@.${s.key}=="${s.value}")]`,
    )
    .join('');
}

/** `kubectl get deployment/cart -n shop -o jsonpath='{...}'`: reads the field back after the sync. */
export function getField(patch: ManifestPatch, path: readonly PathSegment[]): string {
  return `kubectl get ${objectArg(patch)}${nsFlag(patch)} -o jsonpath='{${jsonPath(path)}}'`;
}

/** `kubectl rollout status deployment/cart -n shop --timeout=10m`, for kinds that roll out. */
export function rolloutStatus(patch: ManifestPatch): string[] {
  return ['Deployment', 'StatefulSet', 'DaemonSet'].includes(patch.kind)
    ? [`kubectl rollout status ${objectArg(patch)}${nsFlag(patch)} --timeout=10m`]
    : [];
}

/** The container a `...containers[name=x]...` path names. */
export function containerOf(path: readonly PathSegment[]): string {
  const m = path.find((s) => s.kind === 'match' && s.key === 'name');
  return m?.kind === 'match' ? m.value : '?';
}
