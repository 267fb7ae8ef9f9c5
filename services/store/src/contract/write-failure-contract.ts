import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@sleuth/core';
import { batchOf, log, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

/**
 * `writeFailure()` on a healthy store: nothing to report after writes that succeed, nor after one
 * refused for its content. How a store reports writes that fail for a reason that can clear up
 * (a full disk, a lock) depends on how the implementation can be made to fail; see its own tests.
 */
export function writeFailureContract(make: MakeStore): void {
  describe('write failures', () => {
    const ref = useStore(make, 'each');

    it('reports none while writes succeed, nor for a write refused for what it holds', async () => {
      expect(ref.store.writeFailure()).toBeUndefined();
      await ref.store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'fine' })] }));
      const orphan = {
        id: 'msg_1',
        conversationId: 'none',
        role: 'user',
        text: 'hi',
        createdMs: T0,
      } as const;
      await expect(ref.store.appendMessage(orphan)).rejects.toBeInstanceOf(NotFoundError);
      await ref.store.putAlerts([]);
      expect(ref.store.writeFailure()).toBeUndefined();
    });
  });
}
