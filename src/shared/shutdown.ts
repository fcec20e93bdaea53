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

/**
 * `work`'s value, or `settled: false` as soon as the signal aborts: a stop does not wait for a
 * command Redis may never answer (up to redis.commandTimeoutMs). A rejection of `work` before
 * the abort rejects; after it, it is ignored.
 */
export async function beforeAbort<T>(
  work: Promise<T>,
  signal: AbortSignal,
): Promise<{ readonly settled: true; readonly value: T } | { readonly settled: false }> {
  work.catch(() => undefined); // after an abort its failure is nobody's
  if (signal.aborted) {
    return { settled: false };
  }
  let onAbort = (): void => undefined;
  const aborted = new Promise<{ readonly settled: false }>((resolve) => {
    onAbort = () => resolve({ settled: false });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then((value) => ({ settled: true as const, value })), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
