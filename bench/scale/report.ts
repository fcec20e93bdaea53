import type { ScaleResult } from './measure.js';

function key(r: ScaleResult): string {
  return `${r.backend} ${r.processor} ${r.size} ${r.workers}`;
}

/** The fastest run of each (backend, processor, size, workers), in first-seen order. */
export function bestOf(results: readonly ScaleResult[]): ScaleResult[] {
  const best = new Map<string, ScaleResult>();
  for (const r of results) {
    const b = best.get(key(r));
    if (b === undefined || r.frames_per_s > b.frames_per_s) {
      best.set(key(r), r);
    }
  }
  return [...best.values()];
}

/** frames/s of the same setting with one worker process, for the speed-up column. */
function oneWorker(all: readonly ScaleResult[], r: ScaleResult): ScaleResult | undefined {
  return all.find(
    (o) =>
      o.workers === 1 &&
      o.backend === r.backend &&
      o.processor === r.processor &&
      o.size === r.size,
  );
}

/** frames/s of the same setting on the single server, for the cluster/standalone column. */
function standalone(all: readonly ScaleResult[], r: ScaleResult): ScaleResult | undefined {
  return all.find(
    (o) =>
      o.backend === 'standalone' &&
      o.workers === r.workers &&
      o.processor === r.processor &&
      o.size === r.size,
  );
}

const HEAD = [
  'backend',
  'processor',
  'size',
  'workers',
  'frames',
  'seconds',
  'frames/s',
  'vs 1 worker',
  'vs standalone',
  'Redis CPU us/frame',
  'worker CPU ms/frame',
  'bench CPU cores',
  'machine busy cores',
];

function ratio(a: number, b: number | undefined): string {
  return b === undefined || b === 0 ? '' : `${(a / b).toFixed(2)}x`;
}

export function tableRows(results: readonly ScaleResult[]): string[][] {
  const best = bestOf(results);
  return best.map((r) => [
    r.backend,
    r.processor,
    r.size,
    String(r.workers),
    String(r.frames),
    String(r.seconds),
    String(r.frames_per_s),
    ratio(r.frames_per_s, oneWorker(best, r)?.frames_per_s),
    r.backend === 'standalone' ? '' : ratio(r.frames_per_s, standalone(best, r)?.frames_per_s),
    String(r.redis_cpu_us_per_frame),
    String(r.worker_cpu_ms_per_frame),
    String(r.bench_cpu_cores),
    r.machine_busy_cores === null ? '' : String(r.machine_busy_cores),
  ]);
}

/** A GitHub markdown table, numbers right-aligned. */
export function markdownTable(results: readonly ScaleResult[]): string {
  const rows = [HEAD, ...tableRows(results)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (i: number) => i >= 3;
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(HEAD), rule, ...rows.slice(1).map(line)].join('\n');
}

/** Runs whose Redis state does not balance: every frame must have one result and none pending. */
export function failedChecks(results: readonly ScaleResult[]): string[] {
  return results
    .filter(
      (r) =>
        r.check.processed !== r.frames || r.check.results !== r.frames || r.check.pending !== 0,
    )
    .map(
      (r) =>
        `${key(r)}: processed ${r.check.processed}, results ${r.check.results}, pending ${r.check.pending} of ${r.frames}`,
    );
}
