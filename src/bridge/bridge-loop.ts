import type { Logger } from '../shared/logger.js';
import { reconnectDelayMs } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';

/**
 * Runs `step` until the signal aborts, `intervalMs` apart (0: back to back, for steps that
 * block in Redis). A failing step is logged and retried with jittered backoff: Redis trouble
 * must not end the bridge.
 */
export async function repeat(
  name: string,
  intervalMs: number,
  signal: AbortSignal,
  log: Logger,
  step: () => Promise<void>,
): Promise<void> {
  let errors = 0;
  while (!signal.aborted) {
    try {
      await step();
      errors = 0;
      if (intervalMs > 0) {
        await sleep(intervalMs, signal);
      }
    } catch (err) {
      errors++;
      log.warn({ err, loop: name, errors }, 'bridge loop failed, retrying');
      await sleep(Math.max(intervalMs, reconnectDelayMs(errors)), signal);
    }
  }
}
