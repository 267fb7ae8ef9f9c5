import { describe, expect, it } from 'vitest';
import { formatFieldPath, parseFieldPath, type PathSegment } from '../field-path';
import { chartScope, type HelmChart } from './helm-chart';
import { evalPipeline, goNumber, parsePipeline, UNKNOWN } from './helm-expr';
import { mapField, renderField, type FieldMapping } from './helm-field';
import { templateDocs } from './helm-template';
import { definesOf, parseTemplate } from './helm-text';

/** `helm create`'s helpers (Helm 3.14), the shape most charts in the wild start from. */
const HELPERS = `{{/*
Expand the name of the chart.
*/}}
{{- define "web.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "web.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "web.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
`;

/** `helm create`'s deployment.yaml, trimmed to the parts fixers touch and the conditionals around them. */
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "web.serviceAccountName" . }}
      containers:
        - name: {{ .Chart.Name }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          livenessProbe:
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          resources: {{- toYaml .Values.resources | nindent 12 }}
        - name: sidecar
          image: {{ .Values.sidecar.image | quote }} # pinned by the platform team
          args:
            {{- range .Values.sidecar.args }}
            - {{ . }}
            {{- end }}
          resources:
            limits:
              memory: 128Mi
              cpu: {{ tpl .Values.sidecar.cpu . }}
          env:
            - name: MODE
              value: {{ printf "%s-mode" .Values.mode }}
            - name: LEVEL
              value: {{ required "level is required" .Values.level }}
`;

const VALUES = {
  replicaCount: 2,
  image: { repository: 'nginx', tag: '' },
  service: { port: 80 },
  livenessProbe: { httpGet: { path: '/', port: 'http' } },
  resources: { limits: { memory: '256Mi' } },
  securityContext: { runAsUser: 1000 },
  autoscaling: { enabled: false },
  serviceAccount: { create: true, name: '' },
  sidecar: { image: 'envoy:1.30', args: ['-v'], cpu: '100m' },
  mode: 'fast',
  level: 'info',
};

function chart(values: Record<string, unknown> = VALUES, release = 'shop') {
  const nodes = parseTemplate(HELPERS);
  if (!nodes) throw new Error('the helpers do not parse');
  const c: HelmChart = {
    dir: 'charts/web',
    name: 'web',
    version: '0.1.0+build.1',
    appVersion: '1.16.0',
    defines: definesOf(nodes),
    docs: templateDocs('charts/web/templates/deployment.yaml', DEPLOYMENT),
    notes: [],
  };
  const doc = c.docs[0];
  if (!doc) throw new Error('no document');
  return { doc, scope: chartScope(c, { name: release, namespace: 'shop' }, values) };
}

function path(f: string): PathSegment[] {
  const p = parseFieldPath(f);
  if ('error' in p) throw new Error(p.error);
  return p;
}

function mapped(f: string): FieldMapping | { t: 'values'; path: string; line: number } {
  const { doc, scope } = chart();
  const m = mapField(doc.root, path(f), scope);
  return m.t === 'values' ? { ...m, path: formatFieldPath(m.path) } : m;
}

const WEB = 'spec.template.spec.containers[name=web]';
const SIDECAR = 'spec.template.spec.containers[name=sidecar]';

describe('Helm template pipelines', () => {
  it("evaluates helm create's fullname helper the way Helm does", () => {
    const name = (release: string, values: Record<string, unknown> = VALUES) => {
      const { doc, scope } = chart(values, release);
      return renderField(doc.root, path('metadata.name'), scope).value;
    };
    expect(name('shop')).toBe('shop-web');
    expect(name('web-prod')).toBe('web-prod');
    expect(name('shop', { ...VALUES, nameOverride: 'store' })).toBe('shop-store');
    expect(name('shop', { ...VALUES, fullnameOverride: 'frontend-' })).toBe('frontend');
    expect(name(`r${'x'.repeat(70)}`)).toBe(`r${'x'.repeat(62)}`);
    const { doc, scope } = chart();
    expect(renderField(doc.root, path('spec.template.spec.serviceAccountName'), scope).value).toBe(
      'shop-web',
    );
  });

  it('leaves what it does not evaluate unknown, and prints numbers as Go does', () => {
    const { scope } = chart();
    const run = (src: string): unknown => {
      const p = parsePipeline(src);
      return p ? evalPipeline(p, scope) : 'unparsed';
    };
    expect(run('lookup "v1" "Secret" "shop" "x"')).toBe(UNKNOWN);
    expect(run('tpl .Values.mode .')).toBe(UNKNOWN);
    expect(run('.Capabilities.KubeVersion.Version')).toBe(UNKNOWN);
    expect(run('.Values.missing')).toBe(null);
    expect(run('printf "%s:%d" .Values.mode .Values.replicaCount')).toBe('fast:2');
    expect([goNumber(2), goNumber(0.5), goNumber(1000000), goNumber(123456)]).toEqual([
      '2',
      '0.5',
      '1e+06',
      '123456',
    ]);
  });
});

describe('mapField: how a template writes a field', () => {
  it('follows toYaml blocks (own line or after the key) and plain {{ .Values }} references', () => {
    expect(mapped(`${WEB}.resources.limits.memory`)).toMatchObject({
      t: 'values',
      path: 'resources.limits.memory',
      line: 30,
    });
    expect(mapped(`${WEB}.livenessProbe.httpGet.port`)).toMatchObject({
      t: 'values',
      path: 'livenessProbe.httpGet.port',
      line: 29,
    });
    expect(mapped(`${WEB}.securityContext.runAsUser`)).toMatchObject({
      t: 'values',
      path: 'securityContext.runAsUser',
    });
    expect(mapped(`${WEB}.ports[name=http].containerPort`)).toMatchObject({
      t: 'values',
      path: 'service.port',
      line: 26,
    });
    expect(mapped(`${WEB}.ports[0].containerPort`)).toMatchObject({ t: 'values', path: 'service.port' });
    expect(mapped(`${SIDECAR}.image`)).toMatchObject({ t: 'values', path: 'sidecar.image', line: 32 });
    expect(mapped(`${SIDECAR}.env[name=LEVEL].value`)).toMatchObject({ t: 'values', path: 'level' });
  });

  it('declines conditionals, default, tpl, range and computed values, naming the line', () => {
    expect(mapped('spec.replicas')).toEqual({
      t: 'blocked',
      line: 8,
      why: 'puts it inside {{ if not .Values.autoscaling.enabled }}',
    });
    expect(mapped('spec.template.metadata.annotations.team')).toEqual({
      t: 'blocked',
      line: 13,
      why: 'puts it inside {{ with .Values.podAnnotations }}',
    });
    expect(mapped(`${WEB}.image`)).toEqual({
      t: 'blocked',
      line: 23,
      why: 'uses default ({{ .Values.image.tag | default .Chart.AppVersion }}), so the value may come from elsewhere',
    });
    expect(mapped(`${SIDECAR}.resources.limits.cpu`)).toEqual({
      t: 'blocked',
      line: 40,
      why: 'renders it as a template with tpl ({{ tpl .Values.sidecar.cpu . }})',
    });
    expect(mapped(`${SIDECAR}.args[0]`)).toEqual({
      t: 'blocked',
      line: 34,
      why: 'puts it inside {{ range .Values.sidecar.args }}',
    });
    expect(mapped(`${SIDECAR}.env[name=MODE].value`)).toEqual({
      t: 'blocked',
      line: 43,
      why: 'computes it ({{ printf "%s-mode" .Values.mode }})',
    });
    expect(mapped('metadata.labels.team')).toEqual({
      t: 'blocked',
      line: 6,
      why: 'computes it ({{ include "web.labels" . | nindent 4 }})',
    });
  });

  it('tells fixed text and missing fields from values', () => {
    expect(mapped(`${SIDECAR}.resources.limits.memory`)).toEqual({ t: 'literal', line: 39 });
    expect(mapped(`${WEB}.resources.limits.cpu`)).toMatchObject({
      t: 'values',
      path: 'resources.limits.cpu',
    });
    expect(mapped(`${WEB}.readinessProbe.httpGet.port`)).toEqual({ t: 'absent', line: 20 });
    expect(mapped('spec.template.spec.containers[name=ghost].image')).toEqual({ t: 'absent', line: 20 });
  });

  it('reads literal flow collections, and declines template actions inside them', () => {
    const { scope } = chart();
    const [d] = templateDocs(
      't.yaml',
      'kind: Pod\nspec:\n  containers:\n    - name: app\n      resources: {limits: {memory: 1Gi}}\n      ports: [{containerPort: "{{ .Values.port }}"}]\n',
    );
    const root = d?.root ?? { t: 'empty', line: 0 };
    const app = 'spec.containers[name=app]';
    expect(mapField(root, path(`${app}.resources.limits.memory`), scope)).toEqual({ t: 'literal', line: 5 });
    expect(renderField(root, path(`${app}.resources.limits.memory`), scope)).toEqual({
      found: true,
      value: '1Gi',
    });
    expect(mapField(root, path(`${app}.resources.limits.cpu`), scope)).toEqual({ t: 'absent', line: 5 });
    expect(mapField(root, path(`${app}.ports[0].containerPort`), scope)).toEqual({
      t: 'blocked',
      line: 6,
      why: 'writes a {…} or […] collection with template actions, which Sleuth does not trace',
    });
  });

  it('splits an image built from two settings', () => {
    const { scope } = chart();
    const docs = templateDocs(
      't.yaml',
      'kind: Pod\nspec:\n  containers:\n    - name: app\n      image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n',
    );
    const m = mapField(
      docs[0]?.root ?? { t: 'empty', line: 0 },
      path('spec.containers[name=app].image'),
      scope,
    );
    expect(m.t === 'image' && [formatFieldPath(m.repository), formatFieldPath(m.tag), m.line]).toEqual([
      'image.repository',
      'image.tag',
      5,
    ]);
  });

  it('renders what it can: a list of ports, a toYaml block, the whole container', () => {
    const { doc, scope } = chart();
    expect(renderField(doc.root, path(`${WEB}.ports`), scope)).toEqual({
      found: true,
      value: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
    });
    expect(renderField(doc.root, path(`${WEB}.resources.limits.memory`), scope)).toEqual({
      found: true,
      value: '256Mi',
    });
    expect(renderField(doc.root, path(`${WEB}.image`), scope)).toEqual({
      found: true,
      value: 'nginx:1.16.0',
    });
    expect(renderField(doc.root, path('spec.replicas'), scope).found).toBe(false);
    const sidecar = renderField(doc.root, path(SIDECAR), scope).value;
    expect(sidecar).toMatchObject({
      name: 'sidecar',
      image: 'envoy:1.30',
      resources: { limits: { memory: '128Mi' } },
    });
    expect(sidecar).not.toHaveProperty('args');
  });
});

describe('templateDocs: conditionals around a document or a branch', () => {
  it('treats an if around the whole document as its condition; else branches, conditionals in comments and inside lines as conditional', () => {
    const [hpa] = templateDocs(
      'hpa.yaml',
      '{{- if .Values.hpa }}\nkind: HorizontalPodAutoscaler\nspec:\n  maxReplicas: {{ .Values.max }}\n{{- end }}\n',
    );
    expect(hpa?.docGuards).toEqual([{ line: 1, src: 'if .Values.hpa' }]);
    const { scope } = chart();
    expect(mapField(hpa?.root ?? { t: 'empty', line: 0 }, path('spec.maxReplicas'), scope)).toMatchObject({
      t: 'values',
      line: 4,
    });
    const [either] = templateDocs(
      'd.yaml',
      'kind: Deployment\nspec:\n  {{- if .Values.a }}\n  replicas: 1\n  {{- else }}\n  replicas: {{ .Values.n }}\n  {{- end }}\n',
    );
    expect(mapField(either?.root ?? { t: 'empty', line: 0 }, path('spec.replicas'), scope)).toEqual({
      t: 'blocked',
      line: 3,
      why: 'puts it inside {{ if .Values.a }}',
    });
    const [inline] = templateDocs(
      'd.yaml',
      'kind: Deployment\nspec:\n  {{- if .Values.a }}\n  paused: true {{- end }}\n  # {{- if .Values.b }}\n  replicas: {{ .Values.n }}\n  # {{- end }}\n  minReadySeconds: {{ .Values.s }}\n',
    );
    const inlineRoot = inline?.root ?? { t: 'empty', line: 0 };
    expect(mapField(inlineRoot, path('spec.replicas'), scope)).toEqual({
      t: 'blocked',
      line: 5,
      why: 'puts it inside {{ if .Values.b }}',
    });
    expect(mapField(inlineRoot, path('spec.minReadySeconds'), scope)).toEqual({
      t: 'blocked',
      line: 4,
      why: 'may also write minReadySeconds (a conditional that opens or closes inside a line)',
    });
    expect(renderField(inlineRoot, path('kind'), scope)).toEqual({ found: true, value: 'Deployment' });
    const [other] = templateDocs(
      'd.yaml',
      '{{- if .Values.a }}\nkind: A\n{{- else }}\nkind: B\n{{- end }}\n',
    );
    expect(other?.docGuards).toEqual([]);
    expect(renderField(other?.root ?? { t: 'empty', line: 0 }, path('kind'), scope).found).toBe(false);
  });
});
