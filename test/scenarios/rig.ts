/**
 * A stepped Sleuth: the simulated fleet feeding the product's own pipeline in one process, on the
 * simulator's clock. Every OTLP request the simulator exports goes through the receivers' path
 * (decode, validate, normalise, redact), the ingest queue and SQLite, then the detectors, the
 * correlator and the analyzers, exactly as in `sleuth serve`; only the wall clock is replaced by
 * `step`, so a run is deterministic for a seed and as fast as the machine allows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  loadConfig,
  type FrozenConfig,
  type Incident,
  type Logger,
  type RcaAnswer,
  type SignalBatch,
} from '@sleuth/core';
import { TopologySource } from '@sleuth/analyze';
import { DetectionRunner } from '@sleuth/detect';
import { ingestOtlp } from '@sleuth/pipeline';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import {
  ChatService,
  IncidentPipeline,
  createInvestigator,
  defaultDetectors,
  openStoreAndQueue,
} from '@sleuth/server';
import { Simulator, type OtlpExportRequest, type OtlpSignal, type OtlpTransport } from '@sleuth/simulator';
import type { SqliteStore } from '@sleuth/store';

export interface RigOptions {
  seed: number;
  /** Simulated start; default a fixed Monday 08:00 UTC so runs repeat exactly. */
  startMs?: number;
  tickSeconds?: number;
  logger?: Logger;
}

/** Hands each export to the receivers' pipeline and remembers what it has not finished. */
class PipelineTransport implements OtlpTransport {
  private readonly inFlight = new Set<Promise<void>>();
  rejected = 0;

  constructor(private readonly queue: IngestQueue) {}

  send(signal: OtlpSignal, request: OtlpExportRequest): Promise<void> {
    const result = ingestOtlp(signal, 'json', Buffer.from(JSON.stringify(request)), {
      defaultCluster: 'default',
      redact: true,
      receivedMs: Date.now(),
    });
    this.rejected += result.rejected;
    const p = this.queue.submit(result.batch).then(() => undefined);
    const tracked: Promise<void> = p.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return p;
  }

  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

export const DEFAULT_START_MS = Date.UTC(2026, 10, 16, 8, 0, 0);

export class ScenarioRig {
  readonly sim: Simulator;
  private chat: ChatService | undefined;
  private constructor(
    private readonly config: FrozenConfig,
    readonly store: SqliteStore,
    private readonly queue: IngestQueue,
    private readonly detection: DetectionRunner,
    private readonly transport: PipelineTransport,
    sim: (t: OtlpTransport) => Simulator,
    private readonly dataDir: string,
  ) {
    this.sim = sim(transport);
  }

  static async start(opts: RigOptions): Promise<ScenarioRig> {
    const logger = opts.logger ?? createLogger('error');
    const dataDir = mkdtempSync(join(tmpdir(), 'sleuth-scenario-'));
    const config = loadConfig({
      env: {},
      overrides: { 'store.dataDir': dataDir, 'simulator.mode': 'off', 'kubernetes.mode': 'off' },
    });
    // Written batches go to detection, which needs the store first: wired once it exists.
    let offer = (_batch: SignalBatch): void => undefined;
    const { store, queue } = await openStoreAndQueue(config, logger, undefined, (batch) => offer(batch));
    let simNow = (): number => 0;
    const incidents = new IncidentPipeline(store, logger, () => simNow());
    await incidents.start();
    const detectors = defaultDetectors(config, logger);
    const detection = new DetectionRunner({
      downstream: incidents,
      detectors: detectors.detectors,
      sink: store,
      logger,
      // Stepping waits for detection after each tick: nothing is ever dropped here.
      maxPendingRecords: Number.MAX_SAFE_INTEGER,
      tickMs: 3_600_000,
    });
    offer = (batch) => detection.offer(batch);
    const transport = new PipelineTransport(queue);
    const rig = new ScenarioRig(
      config,
      store,
      queue,
      detection,
      transport,
      (t) =>
        new Simulator({
          seed: opts.seed,
          speed: 1,
          tickSeconds: opts.tickSeconds ?? 5,
          startMs: opts.startMs ?? DEFAULT_START_MS,
          transport: t,
          logger,
        }),
      dataDir,
    );
    simNow = () => rig.sim.nowMs();
    return rig;
  }

  /** Runs the fleet for `ms` simulated, one tick at a time, with detection and correlation after each. */
  async run(ms: number, everyTick?: (nowMs: number) => Promise<void> | void): Promise<void> {
    const tick = 5_000;
    for (let done = 0; done < ms; done += tick) {
      await this.sim.step(Math.min(tick, ms - done));
      await this.transport.settled();
      await this.detection.idle();
      await this.detection.tickNow();
      await everyTick?.(this.sim.nowMs());
    }
  }

  /**
   * Asks chat, as a new conversation and on the simulator's clock, with the LLM off (the config's
   * default): the deterministic engine's answer, as a user without an LLM gets it.
   */
  async askChat(question: string): Promise<RcaAnswer> {
    if (!this.chat) {
      const topology = new TopologySource(this.store);
      this.chat = new ChatService({
        store: this.store,
        topology,
        investigator: createInvestigator(this.config, this.store, topology),
        clock: () => this.sim.nowMs(),
      });
    }
    const conversation = await this.chat.createConversation({});
    const { answer } = await this.chat.ask(conversation.id, question);
    if (!answer.answer) throw new Error('chat stored an answer without its record');
    return answer.answer.answer;
  }

  /** Every incident whose life overlaps [fromMs, toMs]. */
  incidents(fromMs: number, toMs: number): Promise<Incident[]> {
    return this.store.listIncidents({ fromMs, toMs, limit: 1000 });
  }

  get rejectedRecords(): number {
    return this.transport.rejected;
  }

  async close(): Promise<void> {
    await this.sim.stop();
    await this.detection.stop();
    await this.queue.stop();
    await this.store.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
