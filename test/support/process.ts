import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/sleuth.mjs', import.meta.url));

export interface SleuthProcess {
  child: ChildProcess;
  url: string;
  /** Every log line the process printed so far. */
  output: string[];
}

/**
 * Extra Node flags for the child, from BENCH_NODE_ARGS (space-separated): how a benchmark's server
 * is profiled, e.g. `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- ingest`.
 */
function nodeArgs(): string[] {
  return (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
}

/**
 * Starts `sleuth <args>` as a child process and resolves with its URL once it logs that it is
 * listening. Fails with the process's output when it exits first or takes longer than `timeoutMs`.
 */
export function spawnSleuth(args: string[], timeoutMs = 30_000): Promise<SleuthProcess> {
  const child = spawn(process.execPath, [...nodeArgs(), BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A kubeconfig on the developer's machine must not turn the simulated fleet off under a test.
    // Authentication is off unless a test turns it on (it runs on 127.0.0.1).
    env: { SLEUTH_KUBERNETES_MODE: 'off', SLEUTH_AUTH_ENABLED: 'false', ...process.env },
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sleuth did not start within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sleuth exited with ${code} before listening:\n${output.join('\n')}`));
    });
    createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      try {
        const rec = JSON.parse(line) as { msg?: string; url?: string };
        if (rec.msg === 'Sleuth is listening' && rec.url) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve({ child, url: rec.url, output });
        }
      } catch {
        // not a JSON log line
      }
    });
  });
}

/** Waits for the process to exit; SIGKILLs it first when `signal` is given. */
export function exited(child: ChildProcess, signal?: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    if (signal) child.kill(signal);
  });
}
