import type { Logger } from './logger.js';

export interface Closer {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * Runs closers in reverse order of registration, each in its own try/catch so one failure
 * skips nothing; resolves false when the deadline passes first.
 */
export async function runClosers(
  closers: readonly Closer[],
  deadlineMs: number,
  logger?: Logger,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
    timer.unref();
  });
  const all = (async () => {
    for (const closer of [...closers].reverse()) {
      try {
        await closer.close();
      } catch (err) {
        logger?.error({ err, closer: closer.name }, 'error while closing');
      }
    }
    return true as const;
  })();
  const finished = await Promise.race([all, deadline]);
  clearTimeout(timer);
  return finished;
}

/** Memoises an async close so concurrent and repeated calls share one run. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | undefined;
  return () => (promise ??= fn());
}

/** Resolves after ms, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
