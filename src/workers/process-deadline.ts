import { ProcessTimeoutError } from '../shared/errors.js';

/**
 * Settles as `start`'s work does, or rejects with a ProcessTimeoutError `timeoutMs` after the
 * work calls `startClock` (when the processor gets the frame: for a pool processor, once a
 * thread is free, so frames queued behind a slow model do not time out waiting). The work's
 * signal aborts then, so work that can stop does (a pool task: Piscina replaces its thread);
 * in-line work that cannot is left to finish on its own, its outcome ignored. Either way the
 * frame's slot is free again and the frame goes the way of a failed one: retried, then
 * dead-lettered, instead of holding its place in flight forever.
 */
export async function withProcessDeadline<T>(
  start: (signal: AbortSignal, startClock: () => void) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let expire: (err: ProcessTimeoutError) => void = () => undefined;
  const deadline = new Promise<never>((_, reject) => {
    expire = reject;
  });
  const startClock = (): void => {
    timer ??= setTimeout(() => {
      const err = new ProcessTimeoutError(timeoutMs);
      controller.abort(err);
      expire(err);
    }, timeoutMs);
  };
  try {
    const work = start(controller.signal, startClock);
    work.catch(() => undefined); // a failure after the deadline is nobody's to handle
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
