/** Resolves once the browser has painted the next frame: for work that should not delay it. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * Resolves once the browser has painted and then has a moment with nothing to do (at most
 * `timeout` ms later): for work a view that follows at once should not wait behind.
 */
export function afterPaintIdle(timeout = 300): Promise<void> {
  return afterPaint().then(
    () =>
      new Promise<void>((resolve) =>
        'requestIdleCallback' in window ? requestIdleCallback(() => resolve(), { timeout }) : resolve(),
      ),
  );
}
