import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROMETHEUS_TOOLS, TOOL_REGISTRY, TOOLS, toolNamed, toolsFor, type Tool } from './index';
import { fakePrometheus, openFleet, readOnlyStore, toolContext, TRACES, type Fleet } from './testing';

/** Paths of properties, at any depth of a JSON Schema, that have no description. */
function undescribed(schema: unknown, path = ''): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const props: unknown = Reflect.get(schema, 'properties');
  if (props === null || typeof props !== 'object') return [];
  return Object.entries(props).flatMap(([name, prop]: [string, unknown]) => {
    const here = `${path}${name}`;
    const described = typeof Reflect.get(Object(prop), 'description') === 'string';
    return [...(described ? [] : [here]), ...undescribed(prop, `${here}.`)];
  });
}

describe('the tool registry', () => {
  it('holds the ten read-only tools and promql_query, each under its own snake_case name', () => {
    expect(TOOLS).toHaveLength(10);
    const tools: readonly Tool[] = [...TOOLS, ...PROMETHEUS_TOOLS];
    expect(tools).toHaveLength(11);
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(11);
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-z_]+$/);
      expect(t.readOnly).toBe(true);
      expect(t.description.length).toBeGreaterThan(40);
      expect(toolNamed(t.name)).toBe(t);
    }
    expect(Object.entries(TOOL_REGISTRY).map(([key, t]) => [key, t.name])).toEqual(
      Object.values(TOOL_REGISTRY).map((t) => [t.name, t.name]),
    );
    expect(new Set(Object.keys(TOOL_REGISTRY))).toEqual(new Set(names));
    expect(toolNamed('toString')).toBeUndefined();
  });

  it('offers promql_query only when a Prometheus is configured', () => {
    expect(toolsFor({ prometheus: false })).toEqual(TOOLS);
    expect(toolsFor({ prometheus: true }).map((t) => t.name)).toEqual([
      ...TOOLS.map((t) => t.name),
      'promql_query',
    ]);
  });

  it('describes every parameter in the JSON Schema the model is sent', () => {
    for (const t of [...TOOLS, ...PROMETHEUS_TOOLS]) {
      const schema = z.toJSONSchema(t.params, { io: 'input' });
      expect(schema).toMatchObject({ type: 'object' });
      expect(undescribed(schema), t.name).toEqual([]);
    }
  });
});

describe('every tool', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await openFleet();
  });
  afterAll(() => fleet.close());

  const cart = { kind: 'Deployment', name: 'cart' };
  /** One realistic call per tool. */
  const calls: Record<keyof typeof TOOL_REGISTRY, Record<string, unknown>> = {
    search_logs: { resource: cart },
    log_templates: { resource: cart },
    query_series: { name: 'http_server_requests_total', resource: cart },
    list_anomalies: { namespace: 'shop' },
    list_events: { namespace: 'shop' },
    get_resource: { resource: { kind: 'Pod', name: 'cart-7d9f8-abc12' } },
    topology: { resource: cart },
    recent_changes: { namespace: 'shop', sinceMinutes: 600 },
    get_incident: { id: 'inc-cart' },
    find_traces: { traceId: TRACES.error },
    promql_query: { query: 'container_memory_working_set_bytes{namespace="shop"}' },
  };

  it('only reads: answers with a store whose every write throws', async () => {
    const store = readOnlyStore(fleet.store);
    const ctx = { ...toolContext(store), prometheus: fakePrometheus() };
    for (const [name, args] of Object.entries(calls)) {
      const tool = toolNamed(name);
      if (!tool) throw new Error(`no tool ${name}`);
      const result = await tool.run(tool.params.parse(args), ctx);
      expect(result.status, `${name}: ${result.note ?? ''}`).toBe('ok');
    }
    expect(() => store.putAnomalies([])).toThrow(/a tool called store.putAnomalies/);
  });

  it('keeps its answer well under 12,000 characters of JSON at default limits', async () => {
    const ctx = { ...toolContext(fleet.store), prometheus: fakePrometheus() };
    const wide = { sinceMinutes: 7 * 24 * 60 };
    for (const [name, args] of Object.entries(calls)) {
      const tool = toolNamed(name);
      if (!tool) throw new Error(`no tool ${name}`);
      const result = await tool.run(
        tool.params.parse({ ...args, ...('resource' in args || 'namespace' in args ? wide : {}) }),
        ctx,
      );
      expect(JSON.stringify(result).length, name).toBeLessThan(12_000);
    }
  });
});
