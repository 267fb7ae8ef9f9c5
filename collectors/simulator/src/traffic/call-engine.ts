import type { CallSpec, EndpointSpec } from '../fleet/types';
import type { DependencyFailure } from '../logs/dialect';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { recordDataStoreCall, recordHttp } from '../metrics/app-metrics';
import { stopsBetween } from '../model/history';
import { nodeDown } from '../model/node-health';
import type { ClusterRuntime } from '../model/runtime';
import { findWorkload, type PodState, type WorkloadState } from '../model/state';
import { enqueueJob } from './job-store';
import {
  concretePath,
  refusedCostMs,
  route,
  slowdown,
  statusOnFailure,
  targetOf,
  timeoutCostMs,
} from './routing';
import { emitClientSpan } from './client-spans';
import { emitSpan, exceptionFor } from './spans';

/** What travels with one end-user request through the call graph. */
export interface RequestScope {
  rt: ClusterRuntime;
  traceId: string;
  sampled: boolean;
  userAgent: string;
  params: { id: number; asset: string };
}

/** The outcome of one downstream call, as the caller sees it. */
export interface CallResult {
  ok: boolean;
  durationMs: number;
  status?: number;
  failure?: DependencyFailure;
}

/** Median latency of data store operations, ms. */
const STORE_LATENCY: Record<string, number> = {
  SELECT: 0.9,
  INSERT: 2.4,
  UPDATE: 1.8,
  GET: 0.25,
  SET: 0.3,
  LPUSH: 0.3,
};

/**
 * The pod serves one HTTP request starting at `startMs`: its own work, then its downstream
 * calls in order (an optional cache failing is worked around; any other failure ends the request
 * with an error status). Emits the server span, the app's log lines and its RED metrics. If the
 * process dies mid-request nothing is emitted and `killedAtMs` says when the connection broke.
 */
export function serve(
  scope: RequestScope,
  w: WorkloadState,
  pod: PodState,
  endpoint: EndpointSpec,
  startMs: number,
  parentSpanId: string | undefined,
  clientIp: string,
): { status: number; durationMs: number; killedAtMs?: number } {
  const { rt } = scope;
  const defect = pod.revision.template.defect;
  const own =
    rt.rng.logNormal(endpoint.latencyMs, 0.35) *
    slowdown(w, pod) *
    (rt.rng.chance(0.01) ? rt.rng.float(3, 8) : 1);
  const spanId = rt.rng.hex(16);
  let cursor = startMs + own * 0.3;
  let failure: DependencyFailure | undefined;
  let degraded: DependencyFailure | undefined;
  let upstream: { address: string; ms: number; status: number } | undefined;
  let rejected: number | undefined;
  let forceNext = false;
  for (const call of endpoint.calls) {
    if (!forceNext && call.probability !== undefined && !rt.rng.chance(call.probability)) continue;
    forceNext = false;
    const result = callDependency(scope, w, pod, call, cursor, spanId);
    if (call.kind === 'http') {
      // nginx proxies to the Service name, so its upstream is the cluster IP.
      const t = findTarget(rt, call);
      upstream = {
        address: `${t.service.ip}:${t.spec.port}`,
        ms: result.durationMs,
        status: result.status ?? 502,
      };
    }
    cursor += result.durationMs + rt.rng.float(0.05, 0.4);
    if (result.ok && result.status !== undefined && result.status >= 400) {
      rejected = result.status;
      break;
    }
    if (result.ok) continue;
    if (call.kind === 'redis' && call.optional) {
      degraded = result.failure;
      forceNext = true;
      continue;
    }
    failure = result.failure;
    break;
  }
  // A regressed build (bad_rollout) spends its extra time after its downstream calls.
  const endMs = startMs + (cursor + own * 0.7 - startMs) * (defect?.latencyFactor ?? 1);
  const killedAtMs = stopsBetween(pod.container, startMs, endMs);
  if (killedAtMs !== undefined) return { status: 0, durationMs: killedAtMs - startMs, killedAtMs };
  let status = 200;
  const appError = !failure && defect && rt.rng.chance(defect.errorRate) ? defect.exception : undefined;
  if (failure) status = statusOnFailure(w.spec.logFormat, failure);
  else if (appError) status = 500;
  else if (upstream && w.spec.logFormat === 'nginx') status = upstream.status;
  else if (rejected !== undefined) status = rejected;
  else if (endpoint.rejects && rt.rng.chance(endpoint.rejects.rate)) status = endpoint.rejects.status;
  else if (endpoint.route.includes('{asset}') && rt.rng.chance(0.3)) status = 304;
  else if (endpoint.route.includes('{id}') && rt.rng.chance(0.01)) status = 404;
  const durationMs = endMs - startMs;
  const path = concretePath(endpoint.route, scope.params);
  const requestId = rt.rng.hex(16);
  if (scope.sampled) {
    emitSpan(rt, w, pod, {
      traceId: scope.traceId,
      spanId,
      ...(parentSpanId ? { parentSpanId } : {}),
      name: `${endpoint.method} ${endpoint.route}`,
      kind: 'server',
      startMs,
      endMs,
      attributes: {
        'http.request.method': endpoint.method,
        'http.route': endpoint.route,
        'url.path': path,
        'url.scheme': 'http',
        'server.address': `${w.spec.serviceName}.${w.spec.namespace}.svc.cluster.local`,
        'server.port': w.spec.port,
        'client.address': clientIp,
        'user_agent.original': scope.userAgent,
        'http.response.status_code': status,
      },
      ...(status >= 500
        ? {
            error: {
              message: `HTTP ${status}`,
              ...(failure && w.spec.logFormat !== 'nginx'
                ? { exception: exceptionFor(w.spec.logFormat, failure) }
                : {}),
              ...(appError
                ? {
                    exception: {
                      type: appError.type,
                      message: appError.message,
                      stacktrace: [`${appError.type}: ${appError.message}`, ...appError.frames].join('\n'),
                    },
                  }
                : {}),
            },
          }
        : {}),
    });
  }
  const lines = dialectOf(w).request(logContext(rt, w, pod, startMs), {
    method: endpoint.method,
    route: endpoint.route,
    path,
    status,
    durationMs,
    bytes:
      status >= 400
        ? rt.rng.int(150, 600)
        : status === 304
          ? 0
          : Math.round(endpoint.responseBytes * rt.rng.float(0.8, 1.2)),
    clientIp,
    userAgent: scope.userAgent,
    requestId,
    ...(scope.sampled ? { traceId: scope.traceId, spanId } : {}),
    ...(failure ? { failure } : {}),
    ...(appError ? { appError } : {}),
    ...(degraded ? { degraded } : {}),
    ...(upstream ? { upstream: { address: upstream.address, ms: upstream.ms } } : {}),
  });
  writeContainerLines(
    rt,
    w,
    pod,
    startMs,
    lines,
    scope.sampled ? { traceId: scope.traceId, spanId } : undefined,
  );
  recordHttp(rt, w, pod, { method: endpoint.method, route: endpoint.route, status, durationMs });
  return { status, durationMs };
}

function findTarget(rt: ClusterRuntime, call: CallSpec): WorkloadState {
  const target = findWorkload(rt.state, call.service);
  if (!target) throw new Error(`call graph names ${call.service}, which ${rt.name} does not run`);
  return target;
}

/**
 * The pod calls a dependency at `atMs` through its Service: HTTP to another workload (which
 * serves it), or a PostgreSQL query / Redis command. Emits the client span and, for a successful
 * enqueue, adds the job to its queue.
 */
export function callDependency(
  scope: RequestScope,
  caller: WorkloadState,
  callerPod: PodState,
  call: CallSpec,
  atMs: number,
  parentSpanId: string,
): CallResult {
  const { rt } = scope;
  const target = findTarget(rt, call);
  const dep = targetOf(target, call);
  if (call.kind === 'http') dep.detail = concretePath(call.route, scope.params);
  const spanId = caller.spec.logFormat === 'nginx' ? parentSpanId : rt.rng.hex(16);
  const routed = route(rt, target, atMs);
  let result: CallResult;
  const policy = target.ingressPolicy;
  if (policy && !policy.allowedNamespaces.includes(caller.spec.namespace)) {
    // The CNI drops the SYN: the caller waits for its connect timeout.
    result = {
      ok: false,
      durationMs: timeoutCostMs(rt, caller.spec.logFormat, call),
      failure: { kind: 'timeout', target: dep },
    };
  } else if (routed.pod && nodeDown(rt.state, routed.pod.nodeName)) {
    // The pod's node died and it is still in the endpoints: nothing answers, not even a reset.
    result = {
      ok: false,
      durationMs: timeoutCostMs(rt, caller.spec.logFormat, call),
      failure: { kind: 'timeout', target: dep },
    };
  } else if (routed.refused || !routed.pod) {
    result = {
      ok: false,
      durationMs: refusedCostMs(rt, caller.spec.logFormat, call),
      failure: { kind: 'refused', target: dep },
    };
  } else if (call.kind === 'http') {
    const endpoint = target.spec.endpoints.find((e) => e.route === call.route && e.method === call.method);
    if (!endpoint) throw new Error(`${target.spec.name} has no endpoint ${call.method} ${call.route}`);
    const net = rt.rng.float(0.15, 0.6);
    const out = serve(scope, target, routed.pod, endpoint, atMs + net / 2, spanId, callerPod.ip);
    const durationMs = out.durationMs + net;
    if (out.killedAtMs !== undefined)
      result = { ok: false, durationMs, failure: { kind: 'reset', target: dep } };
    else if (out.status >= 500)
      result = {
        ok: false,
        durationMs,
        status: out.status,
        failure: { kind: 'status', target: dep, status: out.status },
      };
    else result = { ok: true, durationMs, status: out.status };
  } else {
    const op = call.kind === 'postgres' ? call.operation : call.command;
    const ms =
      rt.rng.logNormal(STORE_LATENCY[op] ?? 1, 0.4) *
      slowdown(target, routed.pod) *
      (rt.rng.chance(0.005) ? rt.rng.float(20, 200) : 1);
    recordDataStoreCall(rt, target, routed.pod, dep.detail, true);
    result = { ok: true, durationMs: ms + rt.rng.float(0.1, 0.4) };
  }
  if (call.kind === 'redis' && call.enqueue && result.ok) {
    enqueueJob(rt, call.enqueue, {
      id: rt.rng.hex(16),
      orderId: rt.rng.hex(10),
      enqueuedMs: atMs + result.durationMs,
      attempt: 1,
      notBeforeMs: atMs + result.durationMs + rt.rng.float(5, 80),
      traceId: scope.traceId,
      parentSpanId: spanId,
      sampled: scope.sampled,
    });
  }
  if (scope.sampled && caller.spec.logFormat !== 'nginx') {
    emitClientSpan(scope, caller, callerPod, call, { target, atMs, spanId, parentSpanId, result });
  }
  return result;
}
