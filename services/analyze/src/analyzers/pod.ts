import type { ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { crashLoop, oomKilled } from './pod-crash';
import { podContainers } from './pod-containers';
import { memoryNearLimit } from './pod-memory';
import { unschedulable } from './pod-pending';
import { probeFailures } from './pod-probe';
import { containerConfigError, imagePull } from './pod-start';

/**
 * A pod's containers: crash loops (with the crash reason from the previous instance's last log
 * lines), OOM kills against the limit and usage, memory climbing to the limit before the kill,
 * image pull errors with the registry's message,
 * CreateContainerConfigError naming the missing ConfigMap/Secret/key, failing probes, and pods the
 * scheduler cannot place.
 */
export const podAnalyzer: Analyzer = {
  id: 'pod',
  kinds: ['Pod'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const pod = await ctx.object(ref);
    if (!pod) return [];
    const containers = podContainers(pod);
    const out: Finding[] = [];
    for (const c of containers) {
      for (const check of [oomKilled, memoryNearLimit, crashLoop, imagePull, containerConfigError]) {
        out.push(...(await check(pod, c, ctx)));
      }
    }
    out.push(...(await probeFailures(pod, containers, ctx)));
    out.push(...(await unschedulable(pod, containers, ctx)));
    return out;
  },
};
