/**
 * Frame pacing for the --fps cap (0: none, an interval of 0). `nextDeadline` is pure: the time
 * the next frame may be taken, given the previous deadline. A producer that fell behind by more
 * than one frame does not burst to catch up; it starts again from now.
 */
export function frameIntervalMs(fps: number): number {
  return fps > 0 ? 1000 / fps : 0;
}

export function nextDeadline(
  previousDeadline: number | undefined,
  nowMs: number,
  intervalMs: number,
): number {
  if (previousDeadline === undefined) {
    return nowMs;
  }
  const next = previousDeadline + intervalMs;
  return next < nowMs - intervalMs ? nowMs : next;
}

/** Milliseconds to wait before the deadline (0 when it has passed). */
export function delayUntil(deadline: number, nowMs: number): number {
  return Math.max(0, deadline - nowMs);
}
