import type { FaultRecord, FaultRequestInput } from '../faults/fault-schema';
import { Simulator } from '../simulator';
import { MemoryTransport, type CapturedRequest } from '../transport/memory-transport';

/** A fixed, mid-afternoon (in Europe) start so traffic is near its daily peak in tests. */
export const START_MS = Date.parse('2024-05-01T12:00:00Z');

const TICK_MS = 5000;

/** What a fault scenario captured: requests sent while the fault was active, and after it ended. */
export interface FaultScenario {
  sim: Simulator;
  fault: FaultRecord;
  before: CapturedRequest[];
  during: CapturedRequest[];
  after: CapturedRequest[];
}

/**
 * Runs the default fleet for `warmupMs`, injects `fault`, steps through its whole duration, then
 * `afterMs` more. Requests are split by phase; the tick in which the fault ends starts `after`.
 */
export async function runFaultScenario(
  fault: FaultRequestInput,
  opts: { seed?: number; warmupMs?: number; afterMs?: number } = {},
): Promise<FaultScenario> {
  const transport = new MemoryTransport();
  const sim = new Simulator({ seed: opts.seed ?? 7, startMs: START_MS, transport });
  await sim.step(opts.warmupMs ?? 30_000);
  const before = [...transport.requests];
  transport.clear();
  const record = sim.injectFault(fault);
  // The tick in which the fault ends belongs to `after`.
  await sim.step(record.durationSeconds * 1000 - TICK_MS);
  const during = [...transport.requests];
  transport.clear();
  await sim.step(TICK_MS + (opts.afterMs ?? 120_000));
  const after = [...transport.requests];
  return { sim, fault: record, before, during, after };
}
