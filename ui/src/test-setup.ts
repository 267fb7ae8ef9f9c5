/**
 * What happy-dom lacks that the components use: a 2D canvas context (the chart library draws on
 * one; the drawing itself is checked in Chromium by the end-to-end tests), matchMedia and
 * ResizeObserver.
 */
function fakeContext(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const noop = () => undefined;
  return new Proxy({ canvas } as unknown as CanvasRenderingContext2D, {
    get(target, prop) {
      if (prop in target) return (target as unknown as Record<string | symbol, unknown>)[prop];
      if (prop === 'measureText') return (text: string) => ({ width: text.length * 6 });
      if (prop === 'getLineDash') return () => [];
      return noop;
    },
    set(target, prop, value) {
      (target as unknown as Record<string | symbol, unknown>)[prop] = value;
      return true;
    },
  });
}

HTMLCanvasElement.prototype.getContext = function getContext(this: HTMLCanvasElement) {
  return fakeContext(this);
} as unknown as HTMLCanvasElement['getContext'];

if (!('matchMedia' in window)) {
  Object.defineProperty(window, 'matchMedia', {
    value: (query: string) => ({
      matches: false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }),
  });
}

if (!('ResizeObserver' in globalThis)) {
  class NoResize {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  Object.defineProperty(globalThis, 'ResizeObserver', { value: NoResize });
}
