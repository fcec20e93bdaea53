/**
 * Untimed frames every throughput scenario (bare, framepipe, BullMQ) first sends down the same
 * path as its timed frames, so connecting, stream and queue set-up, script caches and the first
 * JIT compilations fall outside every system's clock alike.
 */
export const WARMUP_FRAMES = 32;
