/**
 * The Nezha adapter on a few KB cut from the real files (test/fixtures/nezha-mini: one trace
 * through ts-food-service at its 12:44 cpu_contention fault, its log lines, 15 minutes of two
 * pods' metrics): records come out of the product's receiver as live OTLP would, and the product
 * localises the fault from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localizeRootCause, metricShifts } from '@sleuth/analyze';
import { parseCsv } from '../bench/nezha/csv';
import { readFaults } from '../bench/nezha/faults';
import { loadItems, replay, serverDetectors } from '../bench/nezha/replay';
import { deploymentOf, logTimeMs, otlpLog, type LogRow } from '../bench/nezha/translate';

const DAY = fileURLToPath(new URL('./fixtures/nezha-mini/2023-01-30', import.meta.url));
const replayed = replay(loadItems(DAY), serverDetectors());

describe('Nezha adapter', () => {
  it('reads quoted CSV fields with commas, doubled quotes and newlines', () => {
    expect(parseCsv('a,b\n"x, ""y""",2\r\n"multi\nline",3\n')).toEqual([
      { a: 'x, "y"', b: '2' },
      { a: 'multi\nline', b: '3' },
    ]);
  });

  it('names a pod’s Deployment as k8sattributes would', () => {
    expect(deploymentOf('ts-food-service-f5756978c-6sb8t')).toBe('ts-food-service');
    expect(deploymentOf('ts-ui-dashboard-5477b965f-lwprp')).toBe('ts-ui-dashboard');
  });

  it('sends every record through the receiver without rejections', () => {
    expect(replayed.counts).toMatchObject({ spans: 28, logs: 6, rejected: 0 });
    // 2 pods × 16 columns (NaN samples are not sent) + 5 front-end columns, 15 minutes.
    expect(replayed.counts.metrics).toBeGreaterThan(15 * 20);
  });

  it('gives spans the kind of their place in the trace and the pod’s resource', () => {
    const byName = (name: string) => replayed.spans.find((s) => s.name.startsWith(name));
    expect(byName('/*')).toMatchObject({ kind: 'server', service: 'ts-gateway-service' });
    expect(byName('/api/v1/foodservice/foods')).toMatchObject({
      kind: 'server',
      service: 'ts-food-service',
      source: {
        cluster: 'nezha-trainticket',
        namespace: 'train-ticket',
        workloadKind: 'Deployment',
        workload: 'ts-food-service',
        pod: 'ts-food-service-f5756978c-6sb8t',
      },
    });
    expect(byName('FoodController.getAllFood')?.kind).toBe('internal');
    const gatewayCall = replayed.spans.find(
      (s) => s.service === 'ts-gateway-service' && s.name === 'HTTP GET',
    );
    expect(gatewayCall?.kind).toBe('client');
    expect(byName('/api/v1/foodservice/foods')?.parentSpanId).toBe(gatewayCall?.spanId);
  });

  it('metrics are gauges on the pod, with the pod’s labels', () => {
    const cpu = replayed.metrics.find(
      (m) => m.name === 'k8s.pod.cpu.usage' && m.source.pod?.startsWith('ts-food'),
    );
    expect(cpu).toMatchObject({
      type: 'gauge',
      unit: 'm',
      labels: { workload: 'ts-food-service', pod: 'ts-food-service-f5756978c-6sb8t' },
    });
  });

  it('log lines keep the container’s line as body, with its level and trace context', () => {
    expect(readFileSync(join(DAY, 'log', '12_44_log.csv'), 'utf8')).toContain('""log""');
    const line = replayed.logs.find((l) => l.source.workload === 'ts-travel-service');
    expect(line?.severity).toBe('info');
    expect(line?.body).toMatch(/^20:43:57\.\d+ INFO {2}t\.[cs]\.Travel/);
    expect(line?.traceId).toBe('dc8e5be7508182cb4a6800d76f2385a1');
  });

  it('takes a log line’s time from the runtime’s JSON, as the collector would, where the CSV column overflowed', () => {
    const [row] = parseCsv(
      'Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log\n' +
        '2023-01-30T12:01:02.090,-6795364578871345152,33.33.33.80,ts-travel-service-64469b5b48-5rjvb,server,' +
        '3227b61562530dcfe1ffcf086c615646,3ff82e05ec63ec8c,' +
        '"{""log"":""20:01:02.106 ERROR o.a.c.c.C.[.[.[.[dispatcherServlet]#175 Servlet.service() failed\\n"",' +
        '""stream"":""stdout"",""time"":""2023-01-30T12:01:02.107455865Z""}"\n',
    ) as unknown as LogRow[];
    if (!row) throw new Error('one row');
    expect(logTimeMs(row)).toBe(Date.parse('2023-01-30T12:01:02.107Z'));
    expect(otlpLog(row)).toMatchObject({ timeUnixNano: '1675080062107455865', severityText: 'ERROR' });
  });

  it('the product localises the fault from what the adapter translated', () => {
    const [fault] = readFaults(join(DAY, '2023-01-30-fault_list.json'));
    if (!fault) throw new Error('the fixture has one fault');
    const w = {
      fromMs: fault.windowFromMs - 10 * 60_000,
      incidentFromMs: fault.windowFromMs,
      toMs: fault.windowToMs,
    };
    const ranked = localizeRootCause(metricShifts(replayed.metrics, w), [], {
      unitOf: (ref) =>
        ref.kind === 'Pod' ? { ...ref, kind: 'Deployment', name: deploymentOf(ref.name) } : ref,
    });
    expect(ranked[0]?.resource.name).toBe(deploymentOf(fault.pod));
  });
});
