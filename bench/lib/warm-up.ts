/**
 * Untimed frames every throughput scenario (bare, framepipe, BullMQ) first sends down the same
 * path as its timed frames, so connecting, stream and queue set-up, script caches and JIT
 * compilation fall outside every system's clock alike: one untimed pass of as many frames as
 * the timed run, as the enqueue runs make. 32 frames were too few: framepipe's producers
 * spent 280-330 us of CPU per 640x480 frame in a run after them, 115-150 after 1100 per source
 * (its worker on `noop` 300-335 against 160), so the clock measured the processes warming up.
 */
export function warmUpFrames(timedFrames: number): number {
  return Math.max(MIN_WARMUP_FRAMES, timedFrames);
}

export const MIN_WARMUP_FRAMES = 32;
