import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { JsonObject } from '@sleuth/pipeline';
import type { OtlpSender } from '../collector';

export type SpoolSignal = 'logs' | 'metrics';

/** One request waiting in the spool. */
export interface SpooledRequest {
  seq: number;
  signal: SpoolSignal;
  file: string;
  bytes: number;
}

export interface SpoolStats {
  /** Requests waiting to be shipped. */
  requests: number;
  bytes: number;
  maxBytes: number;
  /** When the oldest waiting request was written, epoch ms. */
  oldestMs?: number;
  /** Requests the server refused for good (kept under rejected/ for inspection). */
  rejected: number;
}

const NAME = /^(\d{16})\.(logs|metrics)\.json\.gz$/;

/** fsync a file or directory by path. */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * The agent's on-disk buffer: every OTLP request the collector produces is written (gzipped) to
 * its own file and fsync'd before the collector goes on, then shipped in order and deleted once the
 * server acknowledged it. So requests survive the server being unreachable and the agent
 * restarting. Bounded by `maxBytes`: when full, `put` waits (the collector's informers and log
 * streams pause with it) rather than drop anything.
 *
 * The agent's id (kept in the folder) and the sequence numbers in the file names are what the
 * server uses to recognise a request it already stored.
 */
export class Spool implements OtlpSender {
  private queue: SpooledRequest[] = [];
  private bytes = 0;
  private nextSeq = 1;
  private rejected = 0;
  private readonly written = new Map<number, number>();
  private waiters: (() => void)[] = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    readonly agentId: string,
    private readonly maxBytes: number,
  ) {}

  /** Opens (or creates) the spool folder, taking up what an earlier run left unshipped. */
  static async open(dir: string, maxBytes: number): Promise<Spool> {
    await mkdir(join(dir, 'rejected'), { recursive: true });
    const idFile = join(dir, 'agent-id');
    let agentId: string;
    try {
      agentId = (await readFile(idFile, 'utf8')).trim();
      if (!/^[A-Za-z0-9-]{1,64}$/.test(agentId)) throw new Error(`${idFile} holds no agent id`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      agentId = randomUUID();
      await writeFile(`${idFile}.tmp`, agentId);
      await fsyncPath(`${idFile}.tmp`);
      await rename(`${idFile}.tmp`, idFile);
      await fsyncPath(dir);
    }
    const spool = new Spool(dir, agentId, maxBytes);
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        await unlink(join(dir, name)); // a write the crash interrupted: never acknowledged
        continue;
      }
      const m = NAME.exec(name);
      if (!m) continue;
      const file = join(dir, name);
      const s = await stat(file);
      const seq = Number(m[1]);
      spool.queue.push({ seq, signal: m[2] as SpoolSignal, file, bytes: s.size });
      spool.written.set(seq, s.mtimeMs);
      spool.bytes += s.size;
      spool.nextSeq = Math.max(spool.nextSeq, seq + 1);
    }
    return spool;
  }

  /** The collector's sender: the request is durable on disk when this resolves. */
  async send(
    signal: SpoolSignal,
    request: JsonObject,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const body = gzipSync(JSON.stringify(request), { level: 1 });
    if (body.length > this.maxBytes) {
      throw new Error(`a ${body.length}-byte request does not fit a ${this.maxBytes}-byte spool`);
    }
    while (this.bytes + body.length > this.maxBytes && this.queue.length > 0) {
      if (options.signal?.aborted) throw options.signal.reason;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    if (options.signal?.aborted) throw options.signal.reason;
    // One write at a time, so files appear in sequence order and ship in the order numbered.
    const write = this.writing.then(() => this.write(signal, body));
    this.writing = write.catch(() => undefined);
    await write;
  }

  private async write(signal: SpoolSignal, body: Buffer): Promise<void> {
    const seq = this.nextSeq++;
    const file = join(this.dir, `${String(seq).padStart(16, '0')}.${signal}.json.gz`);
    const fh = await open(`${file}.tmp`, 'w');
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(`${file}.tmp`, file);
    await fsyncPath(this.dir);
    this.queue.push({ seq, signal, file, bytes: body.length });
    this.written.set(seq, Date.now());
    this.bytes += body.length;
    this.wake();
  }

  /** The oldest request, waiting until there is one (undefined once `signal` aborts). */
  async peek(signal: AbortSignal): Promise<SpooledRequest | undefined> {
    while (this.queue.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    return signal.aborted ? undefined : this.queue[0];
  }

  /** The gzipped OTLP JSON of a request. */
  read(r: SpooledRequest): Promise<Buffer> {
    return readFile(r.file);
  }

  /** The server stored it: forget it. */
  async ack(r: SpooledRequest): Promise<void> {
    await unlink(r.file);
    this.remove(r);
  }

  /** The server will never take it: keep it aside for a human, go on with the next. */
  async reject(r: SpooledRequest): Promise<void> {
    await rename(r.file, join(this.dir, 'rejected', r.file.split('/').pop() ?? `${r.seq}`));
    this.rejected++;
    this.remove(r);
  }

  stats(): SpoolStats {
    const s: SpoolStats = {
      requests: this.queue.length,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      rejected: this.rejected,
    };
    const oldest = this.queue[0];
    if (oldest) {
      const ms = this.written.get(oldest.seq);
      if (ms !== undefined) s.oldestMs = Math.round(ms);
    }
    return s;
  }

  private remove(r: SpooledRequest): void {
    const i = this.queue.indexOf(r);
    if (i >= 0) this.queue.splice(i, 1);
    this.written.delete(r.seq);
    this.bytes -= r.bytes;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
