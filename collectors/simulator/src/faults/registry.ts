import type { FaultBehavior } from './fault-behavior';
import type { FaultKind } from './fault-schema';
import { crashLoop } from './crash-loop';
import { dependencyDown } from './dependency-down';
import { imagePullError } from './image-pull-error';
import { oomKilled } from './oom-killed';

/** Every fault kind's behaviour; adding a kind is a file and one entry here. */
export const FAULT_BEHAVIORS = {
  oom_killed: oomKilled,
  crash_loop: crashLoop,
  image_pull_error: imagePullError,
  dependency_down: dependencyDown,
} satisfies Record<FaultKind, FaultBehavior>;
