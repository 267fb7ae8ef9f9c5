import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One injected fault of `<day>-fault_list.json`, with the window it is scored on. */
export interface Fault {
  injectMs: number;
  time: string;
  pod: string;
  type: string;
  /** The 3 minutes from the inject minute (the benchmark's definition). */
  windowFromMs: number;
  windowToMs: number;
}

const FaultList = z.record(
  z.string(),
  z.array(
    z.object({
      inject_time: z.string(),
      inject_timestamp: z.string(),
      inject_pod: z.string(),
      inject_type: z.string(),
    }),
  ),
);

export const WINDOW_MS = 3 * 60_000;

/** The faults of a day, in time order. */
export function readFaults(path: string): Fault[] {
  const list = FaultList.parse(JSON.parse(readFileSync(path, 'utf8')));
  return Object.values(list)
    .flat()
    .map((f) => {
      const injectMs = Number(f.inject_timestamp) * 1000;
      const windowFromMs = Math.floor(injectMs / 60_000) * 60_000;
      return {
        injectMs,
        time: f.inject_time,
        pod: f.inject_pod,
        type: f.inject_type,
        windowFromMs,
        windowToMs: windowFromMs + WINDOW_MS,
      };
    })
    .sort((a, b) => a.injectMs - b.injectMs);
}
