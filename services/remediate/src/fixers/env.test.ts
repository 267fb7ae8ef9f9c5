import type { ManifestPatch } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { isDecline } from '../decline';
import { envFixer } from './env';
import { changedLines, fixerInput } from './testing/located';

const TEXT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/payments:3.1.0
          env:
            - name: LOG_LEVEL
              value: info # quiet in prod
            - name: FEATURE_FLAGS
              valueFrom:
                configMapKeyRef: {name: payments-config, key: feature-flags}
        - name: worker
          image: ghcr.io/acme/payments:3.1.0
          envFrom:
            - configMapRef: {name: payments-config}
`;

const API = 'spec.template.spec.containers[name=api]';
const addVar = (over: Partial<ManifestPatch> = {}): ManifestPatch => ({
  kind: 'Deployment',
  name: 'payments',
  namespace: 'shop',
  field: `${API}.env[name=DATABASE_URL].value`,
  from: '(unset)',
  to: '',
  rationale: 'The crash log says the required environment variable DATABASE_URL is not set.',
  ...over,
});

describe('env fixer', () => {
  it('adds the missing variable with an empty value and a TODO for a person, keeping every other byte', () => {
    const r = envFixer.propose(fixerInput(TEXT, addVar(), 'crash-loop'));
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '+            - name: DATABASE_URL',
      '+              value: "" # TODO(sleuth): set DATABASE_URL; the crash log says it is required',
    ]);
    expect(r.content).toBe(
      TEXT.replace(
        'key: feature-flags}\n',
        'key: feature-flags}\n            - name: DATABASE_URL\n              value: "" # TODO(sleuth): set DATABASE_URL; the crash log says it is required\n',
      ),
    );
    expect(r.title).toBe(
      'Add the environment variable DATABASE_URL to api in Deployment shop/payments (value left for a person)',
    );
    expect(r.rationale).toContain(
      'a person must set it (a literal, or valueFrom a ConfigMap or Secret) before this is merged',
    );
    expect(r.risk).toContain('starts with DATABASE_URL set to an empty string');
    expect(r.commands).toEqual([
      'kubectl rollout status deployment/payments -n shop --timeout=10m',
      `kubectl get deployment/payments -n shop -o jsonpath='{.spec.template.spec.containers[?(@.name=="api")].env}'`,
      'kubectl logs deployment/payments -c api -n shop --tail=50',
    ]);
  });

  it('creates the env list of a container that has none', () => {
    const text =
      TEXT.slice(0, TEXT.indexOf('          env:\n')) + TEXT.slice(TEXT.indexOf('        - name: worker'));
    const r = envFixer.propose(fixerInput(text, addVar(), 'crash-loop'));
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '+          env:',
      '+            - name: DATABASE_URL',
      '+              value: "" # TODO(sleuth): set DATABASE_URL; the crash log says it is required',
    ]);
  });

  it('declines a variable the manifest defines, a container reading envFrom, and any value', () => {
    const defined = envFixer.propose(
      fixerInput(TEXT, addVar({ field: `${API}.env[name=LOG_LEVEL].value` }), 'crash-loop'),
    );
    expect(isDecline(defined) && defined.reason).toBe(
      'the manifest defines LOG_LEVEL for container api, the live object does not: the repo and the cluster have drifted; reconcile them before Sleuth proposes a change',
    );
    expect(JSON.stringify(defined)).not.toContain('info');
    const envFrom = envFixer.propose(
      fixerInput(
        TEXT,
        addVar({ field: 'spec.template.spec.containers[name=worker].env[name=DATABASE_URL].value' }),
        'crash-loop',
      ),
    );
    expect(isDecline(envFrom) && envFrom.code).toBe('needs-person');
    const f = fixerInput(TEXT, addVar(), 'crash-loop').field;
    for (const to of ['postgres://admin:hunter2@db/prod', ' ', '""', '$(cat /etc/passwd)'])
      expect(envFixer.accepts(addVar({ to }), f)?.reason, to).toBe(
        'an added environment variable goes from (unset) to an empty value for a person to fill; Sleuth never writes a value',
      );
    expect(envFixer.accepts(addVar({ from: 'x' }), f)?.code).toBe('invalid-patch');
  });

  it('declines names that are not environment variable names', () => {
    for (const name of ['9LIVES', 'db-url', 'DB-URL']) {
      const p = addVar({ field: `${API}.env[name=${name}].value` });
      const r = envFixer.accepts(p, fixerInput(TEXT, p, 'crash-loop').field);
      expect(r?.reason, name).toBe('the patch names an environment variable that is not a valid name');
    }
  });

  it('points a key reference at the key the analyzer knows, and only for a config error', () => {
    const keyPatch = addVar({
      field: `${API}.env[name=FEATURE_FLAGS].valueFrom.configMapKeyRef.key`,
      from: 'feature-flags',
      to: 'feature_flags',
      rationale: 'The previous revision read key feature_flags, which ConfigMap payments-config has.',
    });
    const r = envFixer.propose(fixerInput(TEXT, keyPatch, 'container-config-error'));
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '-                configMapKeyRef: {name: payments-config, key: feature-flags}',
      '+                configMapKeyRef: {name: payments-config, key: feature_flags}',
    ]);
    expect(r.title).toBe(
      'Read FEATURE_FLAGS of api in Deployment shop/payments from key feature_flags of ConfigMap payments-config',
    );
    const f = fixerInput(TEXT, keyPatch, 'container-config-error').field;
    expect(envFixer.accepts({ ...keyPatch, to: 'a key; rm -rf /' }, f)?.code).toBe('invalid-patch');
    const wrongMode = envFixer.propose(fixerInput(TEXT, keyPatch, 'crash-loop'));
    expect(isDecline(wrongMode) && wrongMode.code).toBe('invalid-patch');
    const addForConfigError = envFixer.propose(fixerInput(TEXT, addVar(), 'container-config-error'));
    expect(isDecline(addForConfigError) && addForConfigError.code).toBe('invalid-patch');
  });
});
