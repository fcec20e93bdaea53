import { ProcessTimeoutError } from '../shared/errors.js';

/**
 * Settles as `start`'s work does, or rejects with a ProcessTimeoutError after `timeoutMs`. The
 * work's signal aborts then, so work that can stop does (a pool task: Piscina replaces its
 * thread); in-line work that cannot is left to finish on its own, its outcome ignored. Either
 * way the frame's slot is free again and the frame goes the way of a failed one: retried, then
 * dead-lettered, instead of holding its place in flight forever.
 */
export async function withProcessDeadline<T>(
  start: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new ProcessTimeoutError(timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const work = start(controller.signal);
  work.catch(() => undefined); // a failure after the deadline is nobody's to handle
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
