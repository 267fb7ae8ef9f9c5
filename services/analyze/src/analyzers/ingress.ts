import type { ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import { keyNames } from './config-refs';
import type { Finding } from './finding';
import {
  at,
  fieldEvidence,
  list,
  num,
  nsFlag,
  rec,
  sibling,
  stringMap,
  text,
  type Json,
} from './object-fields';

interface Backend {
  service: string;
  port?: number | string;
  field: string;
  where: string;
}

function backends(ing: ObjectSnapshot): Backend[] {
  const out: Backend[] = [];
  const add = (b: Json, field: string, where: string): void => {
    const svc = rec(b['service']);
    const name = text(svc['name']) ?? text(b['serviceName']);
    if (!name) return;
    const port = rec(svc['port']);
    const p = num(port['number']) ?? text(port['name']) ?? num(b['servicePort']) ?? text(b['servicePort']);
    out.push({ service: name, field, where, ...(p === undefined ? {} : { port: p }) });
  };
  add(rec(at(ing.object, 'spec.defaultBackend')), 'spec.defaultBackend', 'default backend');
  list(at(ing.object, 'spec.rules')).forEach((rule, r) => {
    list(rec(rule['http'])['paths']).forEach((p, i) => {
      add(
        rec(p['backend']),
        `spec.rules[${r}].http.paths[${i}].backend`,
        `${text(rule['host']) ?? '*'}${text(p['path']) ?? '/'}`,
      );
    });
  });
  return out;
}

/**
 * Ingresses that cannot route: a backend Service (or its port) that does not exist, an
 * IngressClass that is not installed (checked only when IngressClasses are collected), a TLS
 * Secret that is missing or lacks tls.crt/tls.key.
 */
export const ingressAnalyzer: Analyzer = {
  id: 'ingress',
  kinds: ['Ingress'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const ing = await ctx.object(ref);
    if (!ing) return [];
    const out: Finding[] = [];
    const base = { analyzer: 'ingress', resource: ref };
    const describe = `kubectl describe ingress ${ref.name}${nsFlag(ref)}`;
    for (const b of backends(ing)) {
      const svc = await ctx.object(sibling(ref, 'Service', b.service));
      if (!svc) {
        out.push({
          ...base,
          failureMode: 'missing-backend-service',
          title: `Ingress ${ref.name} routes ${b.where} to Service ${b.service}, which does not exist`,
          explanation: `Requests for ${b.where} go to Service ${b.service}, but there is no such Service in namespace ${ref.namespace ?? '?'}; the ingress controller answers them with 503 (or its default backend).`,
          evidence: [fieldEvidence(ing, b.field, `backend Service ${b.service}`)],
          confidence: 0.9,
          remediation: {
            steps: [`Create Service ${b.service}, or point the rule at the Service that serves ${b.where}.`],
            commands: [`kubectl get services${nsFlag(ref)}`, describe],
          },
        });
        continue;
      }
      const ports = list(at(svc.object, 'spec.ports'));
      if (b.port !== undefined && !ports.some((p) => p['port'] === b.port || p['name'] === b.port)) {
        const offered = ports
          .map((p) => `${num(p['port']) ?? '?'}${text(p['name']) ? `/${text(p['name']) ?? ''}` : ''}`)
          .join(', ');
        out.push({
          ...base,
          failureMode: 'missing-backend-port',
          title: `Ingress ${ref.name} routes ${b.where} to port ${b.port} of Service ${b.service}, which has no such port`,
          explanation: `Service ${b.service} exposes ${offered || 'no ports'}, not ${b.port}; requests for ${b.where} cannot be forwarded.`,
          evidence: [
            fieldEvidence(ing, `${b.field}.service.port`, `backend port ${b.port}`),
            fieldEvidence(svc, 'spec.ports', `Service ports ${offered}`),
          ],
          confidence: 0.85,
          remediation: {
            steps: [`Use one of the Service's ports (${offered}) in the rule.`],
            commands: [describe],
          },
        });
      }
    }
    out.push(...(await classProblems(ing, ctx)), ...(await tlsProblems(ing, ctx)));
    return out;
  },
};

async function classProblems(ing: ObjectSnapshot, ctx: AnalysisContext): Promise<Finding[]> {
  const classes = await ctx.objects(ing.ref.cluster, 'IngressClass');
  if (classes.length === 0) return []; // not collected: cannot tell
  const annotation = stringMap(at(ing.object, 'metadata.annotations'))['kubernetes.io/ingress.class'];
  const wanted = text(at(ing.object, 'spec.ingressClassName')) ?? annotation;
  const names = classes.map((c) => c.ref.name);
  const hasDefault = classes.some(
    (c) =>
      stringMap(at(c.object, 'metadata.annotations'))['ingressclass.kubernetes.io/is-default-class'] ===
      'true',
  );
  if (wanted ? names.includes(wanted) : hasDefault) return [];
  const field =
    wanted === undefined
      ? 'spec'
      : annotation === wanted
        ? 'metadata.annotations[kubernetes.io/ingress.class]'
        : 'spec.ingressClassName';
  return [
    {
      analyzer: 'ingress',
      resource: ing.ref,
      failureMode: 'missing-ingress-class',
      title: wanted
        ? `Ingress ${ing.ref.name} asks for IngressClass ${wanted}, which is not installed`
        : `Ingress ${ing.ref.name} names no IngressClass and the cluster has no default`,
      explanation: `No ingress controller will pick this Ingress up: ${wanted ? `the class ${wanted} does not exist` : 'it names no class and none is marked default'}. Installed classes: ${names.join(', ')}.`,
      evidence: [fieldEvidence(ing, field, wanted ? `class ${wanted}` : 'no ingressClassName')],
      confidence: 0.85,
      remediation: {
        steps: [`Set spec.ingressClassName to one of: ${names.join(', ')}.`],
        commands: ['kubectl get ingressclass'],
      },
    },
  ];
}

async function tlsProblems(ing: ObjectSnapshot, ctx: AnalysisContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const [i, tls] of list(at(ing.object, 'spec.tls')).entries()) {
    const name = text(tls['secretName']);
    if (!name) continue;
    const secret = await ctx.object(sibling(ing.ref, 'Secret', name));
    const keys = secret ? keyNames(secret) : new Set<string>();
    const lacking = ['tls.crt', 'tls.key'].filter((k) => !keys.has(k));
    if (secret && lacking.length === 0) continue;
    const hosts = Array.isArray(tls['hosts'])
      ? tls['hosts'].filter((h) => typeof h === 'string').join(', ')
      : '';
    out.push({
      analyzer: 'ingress',
      resource: ing.ref,
      failureMode: 'missing-tls-secret',
      title: secret
        ? `TLS Secret ${name} of Ingress ${ing.ref.name} lacks ${lacking.join(' and ')}`
        : `Ingress ${ing.ref.name} uses TLS Secret ${name}, which does not exist`,
      explanation: `HTTPS for ${hosts || 'its hosts'} needs the certificate in Secret ${name}; ${secret ? `it has no ${lacking.join(' or ')} key` : 'the Secret is missing'}, so the controller serves its default (self-signed) certificate or refuses the host.`,
      evidence: [
        fieldEvidence(ing, `spec.tls[${i}].secretName`, `TLS Secret ${name}`),
        ...(secret ? [fieldEvidence(secret, 'data', `keys: ${[...keys].join(', ') || '(none)'}`)] : []),
      ],
      confidence: 0.85,
      remediation: {
        steps: [
          `Create the kubernetes.io/tls Secret ${name} (tls.crt, tls.key), or check the certificate issuer (cert-manager Certificate) that should have made it.`,
        ],
        commands: [
          `kubectl get secret ${name}${nsFlag(ing.ref)}`,
          `kubectl get certificate${nsFlag(ing.ref)}`,
        ],
      },
    });
  }
  return out;
}
