import { cpuLimitFixer } from './cpu-limit';
import { envFixer } from './env';
import type { Fixer } from './fixer';
import { hpaMaxReplicasFixer } from './hpa-max-replicas';
import { imageFixer } from './image';
import { memoryLimitFixer } from './memory-limit';
import { probeFixer } from './probe';
import { requestsFixer } from './requests';
import { serviceFixer } from './service';

/** Every fixer by id. Adding one is a file and an entry here. */
export const FIXERS = {
  'memory-limit': memoryLimitFixer,
  'cpu-limit': cpuLimitFixer,
  probe: probeFixer,
  service: serviceFixer,
  'hpa-max-replicas': hpaMaxReplicasFixer,
  image: imageFixer,
  env: envFixer,
  requests: requestsFixer,
} satisfies Record<string, Fixer>;

export type FixerId = keyof typeof FIXERS;

/** The fixer for a root cause's failure mode, if there is one. */
export function fixerFor(failureMode: string): Fixer | undefined {
  return Object.values(FIXERS).find((f: Fixer) => f.failureModes.includes(failureMode));
}
