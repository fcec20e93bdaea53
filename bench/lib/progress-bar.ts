/** One progress line on stderr: a bar, percent, elapsed time and the running step. */
export interface ProgressBar {
  step(label: string, weight: number): void;
  update(fraction: number, detail?: string): void;
  /** Prints a line above the bar. */
  log(line: string): void;
  done(): void;
}

const WIDTH = 28;

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function createProgressBar(
  totalWeight: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let doneWeight = 0;
  let current = { label: '', weight: 0, fraction: 0, detail: '' };
  let lastDraw = 0;

  const draw = (force = false): void => {
    const now = Date.now();
    if (!tty || (!force && now - lastDraw < 100)) {
      return;
    }
    lastDraw = now;
    const total = Math.max(totalWeight, doneWeight + current.weight);
    const f = Math.min(1, (doneWeight + current.weight * current.fraction) / total);
    const filled = Math.round(f * WIDTH);
    const bar = '#'.repeat(filled) + '.'.repeat(WIDTH - filled);
    const line = `[${bar}] ${String(Math.round(f * 100)).padStart(3)}% ${clock(now - started)}  ${current.label} ${Math.round(current.fraction * 100)}% ${current.detail}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}`);
  };

  return {
    step(label, weight) {
      doneWeight += current.weight;
      current = { label, weight, fraction: 0, detail: '' };
      if (!tty) {
        stream.write(`[${clock(Date.now() - started)}] ${label}\n`);
      }
      draw(true);
    },
    update(fraction, detail = '') {
      current.fraction = fraction;
      current.detail = detail;
      draw();
    },
    log(line) {
      stream.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
      draw(true);
    },
    done() {
      doneWeight += current.weight;
      current = { label: 'done', weight: 0, fraction: 1, detail: '' };
      draw(true);
      if (tty) {
        stream.write('\n');
      }
    },
  };
}
