import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '@sleuth/core';

/**
 * What the server needs of the in-process simulated fleet. The simulator validates fault requests
 * itself and throws coded errors (ValidationError, NotFoundError) naming the problem.
 */
export interface SimulatorControl {
  injectFault(request: unknown): unknown;
  listFaults(): unknown;
  clearFault(id: string): unknown;
  fleet(): unknown;
  stats(): unknown;
}

function notRunning(): never {
  throw new NotFoundError('the simulated fleet is not running in this server (simulator.mode is off)');
}

/** Fault injection and fleet description for the built-in simulated fleet. */
export function simulatorRoutes(current: () => SimulatorControl | undefined) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const running = (): SimulatorControl => current() ?? notRunning();
    app.get('/simulator', () => {
      const sim = running();
      return { fleet: sim.fleet(), stats: sim.stats() };
    });
    app.get('/simulator/faults', () => ({ faults: running().listFaults() }));
    app.post(
      '/simulator/faults',
      { config: { access: 'operate', audit: 'simulator.fault_injected' } },
      async (req, reply) => {
        const sim = running();
        return reply.status(201).send(await Promise.resolve(sim.injectFault(req.body)));
      },
    );
    app.delete(
      '/simulator/faults/:id',
      {
        config: { access: 'operate', audit: 'simulator.fault_cleared' },
        schema: { params: z.object({ id: z.string().min(1).max(64) }) },
      },
      async (req) => {
        return Promise.resolve(running().clearFault(req.params.id));
      },
    );
  };
}
