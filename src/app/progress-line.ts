/**
 * One live status line on stderr: rewritten in place on a terminal, printed every
 * `plainEveryMs` otherwise (CI logs, pipes), so long jobs always show progress.
 */
export interface ProgressLine {
  stop(finalText?: string): void;
}

export function startProgressLine(
  render: () => string | Promise<string>,
  options: { intervalMs?: number; plainEveryMs?: number; stream?: NodeJS.WriteStream } = {},
): ProgressLine {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY;
  const intervalMs = options.intervalMs ?? 1000;
  const plainEveryMs = options.plainEveryMs ?? 5000;
  let lastPlain = 0;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) {
      return;
    }
    busy = true;
    try {
      const text = await render();
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
      } else if (Date.now() - lastPlain >= plainEveryMs) {
        lastPlain = Date.now();
        stream.write(`${text}\n`);
      }
    } catch {
      // A failed render (Redis briefly down) skips one update; the job itself reports errors.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    stop(finalText) {
      clearInterval(timer);
      if (tty) {
        stream.write('\r\x1b[2K');
      }
      if (finalText !== undefined) {
        stream.write(`${finalText}\n`);
      }
    },
  };
}

/** Events per second between two samples of a counter. */
export function ratePerSecond(prev: number, next: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : ((next - prev) * 1000) / elapsedMs;
}

/** `[#####.....] 50/100` for jobs with a known size. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}
