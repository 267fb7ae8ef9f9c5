import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Store } from '../store';

/** What a store implementation hands the contract suite. */
export interface StoreHarness {
  /** A started, empty store. */
  store: Store;
  /**
   * Closes the store and opens the same data again (for durability checks); the suite uses the
   * returned store from then on. Omit it when the implementation cannot reopen.
   */
  reopen?: () => Promise<Store>;
  /** Stops the store (the current one after a reopen) and removes its data. */
  cleanup: () => Promise<void>;
}

/** Makes a fresh store for a test or a group of tests. */
export type MakeStore = () => Promise<StoreHarness>;

/** A lazily filled handle to the harness of the current test (or group). */
export interface HarnessRef {
  readonly store: Store;
  readonly harness: StoreHarness;
}

/**
 * Registers hooks that create a store before each test (`each`) or once for the enclosing
 * describe (`all`, for read-only groups over seeded data) and clean it up afterwards.
 */
export function useStore(
  make: MakeStore,
  scope: 'each' | 'all',
  seed?: (store: Store) => Promise<void>,
): HarnessRef {
  let current: StoreHarness | undefined;
  const setup = async (): Promise<void> => {
    current = await make();
    if (seed) await seed(current.store);
  };
  const teardown = async (): Promise<void> => {
    await current?.cleanup();
    current = undefined;
  };
  if (scope === 'each') {
    beforeEach(setup);
    afterEach(teardown);
  } else {
    beforeAll(setup);
    afterAll(teardown);
  }
  return {
    get store(): Store {
      if (!current) throw new Error('the store harness is used outside a test');
      return current.store;
    },
    get harness(): StoreHarness {
      if (!current) throw new Error('the store harness is used outside a test');
      return current;
    },
  };
}
