import { parseArgs } from 'node:util';
import type { BackendKind } from './backends.js';

export interface ScaleCase {
  readonly processor: 'noop' | 'stats';
  readonly size: string;
  /** Backlog produced before the workers start, over all sources. */
  readonly frames: number;
}

export interface ScaleArgs {
  readonly mode: 'quick' | 'full';
  readonly backends: readonly BackendKind[];
  readonly workers: readonly number[];
  readonly cases: readonly ScaleCase[];
  readonly sources: number;
  readonly distinct: number;
  /** Each (backend, case, workers) runs this many times, interleaved; the fastest is kept. */
  readonly repeats: number;
  /** Replicas per master in the cluster (0: masters only, as one Redis has no replica either). */
  readonly replicas: number;
  readonly outDir: string;
}

export const SCALE_USAGE = `usage: npm run bench:scale -- [--full] [--backends standalone,cluster] [--workers 1,2,4]
                              [--processors noop,stats] [--replicas 0] [--out bench/results]
  (default)   quick: one run per setting, about 4-5 minutes on 2 cores
  --full      twice the backlog and 3 interleaved repeats (fastest kept)`;

/** Backlogs sized so one run drains in a few seconds on 2 cores. */
const QUICK_CASES: readonly ScaleCase[] = [
  { processor: 'noop', size: '320x240', frames: 8000 },
  { processor: 'noop', size: '640x480', frames: 6400 },
  { processor: 'stats', size: '320x240', frames: 2400 },
  { processor: 'stats', size: '640x480', frames: 1200 },
];

function list(text: string | undefined, fallback: readonly string[]): string[] {
  return text === undefined ? [...fallback] : text.split(',').map((s) => s.trim());
}

export function parseScaleArgs(argv: readonly string[]): ScaleArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      full: { type: 'boolean' },
      quick: { type: 'boolean' },
      backends: { type: 'string' },
      workers: { type: 'string' },
      processors: { type: 'string' },
      replicas: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    throw new Error(SCALE_USAGE);
  }
  const full = values.full === true;
  const backends = list(values.backends, ['standalone', 'cluster']);
  if (backends.some((b) => b !== 'standalone' && b !== 'cluster')) {
    throw new Error(`--backends: use standalone and/or cluster\n${SCALE_USAGE}`);
  }
  const workers = list(values.workers, ['1', '2', '4']).map(Number);
  if (workers.some((w) => !Number.isInteger(w) || w < 1 || w > 16)) {
    throw new Error(`--workers: whole numbers 1..16\n${SCALE_USAGE}`);
  }
  const processors = list(values.processors, ['noop', 'stats']);
  const cases = QUICK_CASES.filter((c) => processors.includes(c.processor)).map((c) => ({
    ...c,
    frames: full ? c.frames * 2 : c.frames,
  }));
  if (cases.length === 0) {
    throw new Error(`--processors: use noop and/or stats\n${SCALE_USAGE}`);
  }
  const replicas = Number(values.replicas ?? 0);
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 2) {
    throw new Error(`--replicas: 0, 1 or 2\n${SCALE_USAGE}`);
  }
  return {
    mode: full ? 'full' : 'quick',
    backends: backends as BackendKind[],
    workers,
    cases,
    sources: 8,
    distinct: 32,
    repeats: full ? 3 : 1,
    replicas,
    outDir: values.out ?? 'bench/results',
  };
}

export interface PlannedRun {
  readonly backend: BackendKind;
  readonly case: ScaleCase;
  readonly workers: number;
  readonly repeat: number;
}

/** Per backend: repeat-major, so repeats of one setting are spread over the backend's runs. */
export function planRuns(args: ScaleArgs, backend: BackendKind): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (let repeat = 0; repeat < args.repeats; repeat++) {
    for (const c of args.cases) {
      for (const workers of args.workers) {
        runs.push({ backend, case: c, workers, repeat });
      }
    }
  }
  return runs;
}

/** Weight of a run for the progress bar: roughly its frames' cost. */
export function runWeight(run: PlannedRun): number {
  const costPerFrame = run.case.processor === 'stats' ? (run.case.size === '640x480' ? 12 : 4) : 1;
  return run.case.frames * costPerFrame;
}
