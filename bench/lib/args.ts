import { parseArgs } from 'node:util';

export type Mode = 'quick' | 'full' | 'soak';

export interface BenchArgs {
  readonly mode: Mode;
  /** Soak length in seconds. */
  readonly soakSeconds: number;
  /** Only these scenario kinds (bare, framepipe, streams, bullmq, enqueue, latency, recovery). */
  readonly only: readonly string[];
  /** Write V8 CPU profiles of framepipe scenario processes to this folder. */
  readonly cpuProfDir?: string;
  readonly outDir: string;
  readonly docs: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick | --full | --soak 10m] [--only kinds] [--cpu-prof] [--no-docs]
  --quick        a few minutes (default)
  --full         larger runs, more BullMQ settings, 3 interleaved repeats (fastest of each)
  --soak 10m     framepipe with stats at 8 x 3 fps for the given time, printing RSS and Redis memory
  --only a,b     only these scenario kinds: bare framepipe streams bullmq enqueue latency recovery
  --cpu-prof     V8 CPU profiles of framepipe's scenario processes (worker, producers, enqueue
                 writer) and the hand-written streams loop's, in bench/results/profiles
  --no-docs      do not rewrite docs/performance.md`;

/** `10m`, `90s`, `1h`, or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (m === null) {
    throw new Error(`bad duration "${text}": use e.g. 90s, 10m, 1h`);
  }
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  return Number(m[1]) * unit;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      soak: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    throw new Error(USAGE);
  }
  if ([values.quick, values.full, values.soak !== undefined].filter(Boolean).length > 1) {
    throw new Error('choose one of --quick, --full, --soak');
  }
  const mode: Mode = values.soak !== undefined ? 'soak' : values.full === true ? 'full' : 'quick';
  return {
    mode,
    soakSeconds: values.soak === undefined ? 0 : parseDuration(values.soak),
    only: values.only === undefined ? [] : values.only.split(',').map((s) => s.trim()),
    ...(values['cpu-prof'] === true ? { cpuProfDir: 'bench/results/profiles' } : {}),
    outDir: values.out ?? 'bench/results',
    docs: values['no-docs'] !== true && values.only === undefined,
  };
}
