/**
 * A scrape target that looks like the kubelet's cAdvisor endpoint to a real Prometheus: per
 * container `container_memory_working_set_bytes` and the CFS period counters, labelled
 * namespace/pod/container as the kubelet labels them. Each scrape advances every series by its
 * step and is recorded, so a test can compare what Prometheus answers with what it was shown.
 */
import { createServer } from 'node:http';
import { startPrometheus, type RealServer } from './prom-servers';

/** One container's series as the target exposes them. */
export interface ExposedContainer {
  namespace: string;
  pod: string;
  container: string;
  /** Working set at the first scrape, and how much it grows per scrape (bytes). */
  memory: { start: number; perScrape: number };
  /** CFS periods per scrape, and how many of them are throttled. */
  cfs?: { periods: number; throttled: number };
}

export interface CadvisorTarget {
  /** `host:port` for a scrape config. */
  address: string;
  /** The working-set value each scrape served, per `namespace/pod/container`, in order. */
  served: Map<string, number[]>;
  close(): Promise<void>;
}

const key = (c: ExposedContainer) => `${c.namespace}/${c.pod}/${c.container}`;

/** Starts the target on 127.0.0.1 with a free port. */
export async function startCadvisorTarget(containers: ExposedContainer[]): Promise<CadvisorTarget> {
  const served = new Map<string, number[]>(containers.map((c) => [key(c), []]));
  let scrapes = 0;
  const server = createServer((_req, res) => {
    const n = scrapes++;
    const lines = [
      '# TYPE container_memory_working_set_bytes gauge',
      '# TYPE container_cpu_cfs_periods_total counter',
      '# TYPE container_cpu_cfs_throttled_periods_total counter',
    ];
    for (const c of containers) {
      const labels = `namespace="${c.namespace}",pod="${c.pod}",container="${c.container}"`;
      const memory = c.memory.start + n * c.memory.perScrape;
      served.get(key(c))?.push(memory);
      lines.push(`container_memory_working_set_bytes{${labels}} ${memory}`);
      if (c.cfs) {
        lines.push(`container_cpu_cfs_periods_total{${labels}} ${(n + 1) * c.cfs.periods}`);
        lines.push(`container_cpu_cfs_throttled_periods_total{${labels}} ${(n + 1) * c.cfs.throttled}`);
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return {
    address: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A real Prometheus scraping the target every second, and the target; `stop` ends both. */
export async function startScrapedTarget(
  containers: ExposedContainer[],
): Promise<{ prometheus: RealServer; target: CadvisorTarget; stop(): Promise<void> }> {
  const target = await startCadvisorTarget(containers);
  const prometheus = await startPrometheus({ targets: [target.address], job: 'kubelet', intervalSeconds: 1 });
  return {
    prometheus,
    target,
    stop: async () => {
      await prometheus.stop();
      await target.close();
    },
  };
}

/** Polls `check` every 200 ms until it is true; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
