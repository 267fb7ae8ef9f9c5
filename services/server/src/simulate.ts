import type { FrozenConfig, Logger } from '@sleuth/core';
import { encodeOtlpRequest } from '@sleuth/pipeline';
import { HttpOtlpTransport, Simulator } from '@sleuth/simulator';

/** `sleuth simulate`: the simulated fleet alone, sending OTLP/HTTP to a Sleuth server elsewhere. */
export async function runStandaloneSimulator(
  config: FrozenConfig,
  target: { url: string; encoding: 'json' | 'protobuf' },
  logger: Logger,
): Promise<() => Promise<void>> {
  const simulator = new Simulator({
    seed: config.simulator.seed,
    speed: config.simulator.speed,
    tickSeconds: config.simulator.tickSeconds,
    transport: new HttpOtlpTransport({
      url: target.url,
      logger,
      ...(target.encoding === 'protobuf' ? { encode: encodeOtlpRequest } : {}),
    }),
    logger,
  });
  await simulator.start();
  logger.info({ server: target.url, encoding: target.encoding }, 'simulated fleet is sending OTLP');
  return () => simulator.stop();
}
