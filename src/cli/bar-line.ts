import { progressBar } from '../app/progress-line.js';

/** The slice of a stream a bar writes to; a fake in tests. */
export interface BarStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface BarLine {
  update(done: number, total: number): void;
  /** A message on a line of its own, never glued to the bar. */
  note(text: string): void;
  /** Ends the bar's line, so what follows starts on a fresh one. Idempotent. */
  end(): void;
}

/**
 * A progress bar for jobs of known size. On a terminal it is redrawn in place (at most every
 * `intervalMs`); elsewhere (CI logs, pipes) `\r` does not rewind, so each update is a whole
 * line, at most every `plainEveryMs` and at the end.
 */
export function createBarLine(
  stream: BarStream,
  options: { intervalMs?: number; plainEveryMs?: number; now?: () => number } = {},
): BarLine {
  const tty = stream.isTTY === true;
  const everyMs = tty ? (options.intervalMs ?? 500) : (options.plainEveryMs ?? 5000);
  const now = options.now ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  let open = false;
  return {
    update(done, total) {
      if (done < total && now() - last < everyMs) {
        return;
      }
      last = now();
      if (tty) {
        stream.write(`\r\x1b[2K${progressBar(done, total)}`);
        open = true;
      } else {
        stream.write(`${progressBar(done, total)}\n`);
      }
    },
    note(text) {
      if (open) {
        // Clear the bar; the next update draws it again below the note.
        stream.write('\r\x1b[2K');
        open = false;
        last = Number.NEGATIVE_INFINITY;
      }
      stream.write(`${text}\n`);
    },
    end() {
      if (open) {
        stream.write('\n');
        open = false;
      }
    },
  };
}
