/**
 * `npm run bench:scale`: frames/s drained end to end (stream -> worker processes -> result +
 * XACK) with 1, 2 and 4 worker processes, against one private redis-server and a private
 * 3-master Redis Cluster, 8 sources. A fixed backlog is produced first, so producer speed is
 * not in the measure. See docs/scaling.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadFrameSet, parseSize } from './lib/frames.js';
import { machineInfo, versions } from './lib/machine.js';
import { createProgressBar, type ProgressBar } from './lib/progress-bar.js';
import { startBackend, type Backend, type BackendKind } from './scale/backends.js';
import { measureRun, type ScaleResult } from './scale/measure.js';
import { parseScaleArgs, planRuns, runWeight, SCALE_USAGE, type ScaleArgs } from './scale/plan.js';
import { bestOf, failedChecks, markdownTable } from './scale/report.js';
import { spawnWorkerProcs, type WorkerProcs } from './scale/worker-procs.js';

const WARMUP = { processor: 'noop', size: '320x240', frames: 1600 } as const;
const SETUP_WEIGHT = 3000;

/** Everything started so far, stopped by PID in reverse order, on success, error or signal. */
const closers: (() => Promise<void>)[] = [];
async function closeAll(): Promise<void> {
  for (const close of closers.splice(0).reverse()) {
    await close().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  }
}

function srcState(): string {
  try {
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { encoding: 'utf8' });
    return dirty.trim() === '' ? 'clean' : 'src/ had uncommitted changes during the run';
  } catch {
    return 'unknown';
  }
}

async function runBackend(
  kind: BackendKind,
  args: ScaleArgs,
  bar: ProgressBar,
  results: ScaleResult[],
): Promise<{ nodes: readonly string[]; redis: string; shards: Record<string, string> }> {
  bar.step(`start ${kind} + ${Math.max(...args.workers)} worker processes`, SETUP_WEIGHT);
  const backend: Backend = await startBackend(kind, args.replicas);
  closers.push(() => backend.stop());
  const procs: WorkerProcs = await spawnWorkerProcs(Math.max(...args.workers), backend.layer);
  closers.push(() => procs.close());
  const redis = (await versions(backend.firstNode)).redis;
  let n = 0;
  const ctx = (label: string) => ({
    backend,
    procs,
    sources: args.sources,
    distinct: args.distinct,
    prefix: `scale${n++}`,
    onProgress: (f: number, detail: string) => bar.update(f, `${label} ${detail}`),
  });
  // Not reported: JIT, Lua script cache and connections warm up on the same path.
  const warm = { case: WARMUP, workers: Math.max(...args.workers), repeat: -1, backend: kind };
  bar.step(`${kind} warm-up`, runWeight(warm));
  await measureRun(ctx('warm-up'), warm);
  for (const run of planRuns(args, kind)) {
    const label = `${kind} ${run.case.processor} ${run.case.size} x${run.workers}`;
    bar.step(label, runWeight(run));
    const r = await measureRun(ctx(label), run);
    results.push(r);
    bar.log(
      `${label}: ${r.frames_per_s} frames/s, Redis ${r.redis_cpu_us_per_frame} us/frame, bench CPU ${r.bench_cpu_cores} cores (machine ${r.machine_busy_cores ?? '?'})`,
    );
  }
  const shards = await backend.shards(
    'scale',
    Array.from({ length: args.sources }, (_, i) => `cam${i}`),
  );
  await closeAll();
  return { nodes: backend.nodes, redis, shards };
}

async function main(): Promise<void> {
  let args: ScaleArgs;
  try {
    args = parseScaleArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit((err as Error).message === SCALE_USAGE ? 0 : 2);
  }
  const stop = () => void closeAll().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const started = new Date();
  const machine = machineInfo();
  for (const c of args.cases) {
    await loadFrameSet(parseSize(c.size), args.distinct); // encode once, before any timing
  }
  const perBackend =
    SETUP_WEIGHT +
    WARMUP.frames +
    planRuns(args, 'standalone').reduce((s, r) => s + runWeight(r), 0);
  const bar = createProgressBar(perBackend * args.backends.length);
  const results: ScaleResult[] = [];
  const backends: Record<string, unknown> = {};
  try {
    for (const kind of args.backends) {
      backends[kind] = await runBackend(kind, args, bar, results);
    }
  } finally {
    bar.done();
    await closeAll();
  }
  const table = markdownTable(results);
  console.log(`\n${table}\n`);
  const failed = failedChecks(results);
  failed.forEach((f) => console.log(`CHECK FAILED ${f}`));
  const date = started.toISOString().slice(0, 10);
  const file = join(args.outDir, `scale-${date}${args.mode === 'full' ? '-full' : ''}.json`);
  const out = {
    date: started.toISOString(),
    mode: args.mode,
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: { ...machine, loadavg_at_end: loadavg().map((l) => Math.round(l * 100) / 100) },
    src: srcState(),
    settings: {
      sources: args.sources,
      workers: args.workers,
      cases: args.cases,
      repeats: args.repeats,
      cluster: `3 masters, ${args.replicas} replica(s) each, on loopback`,
      redis: 'private redis-server(s), no persistence, noeviction',
      worker: 'framepipe defaults (maxInFlight 32, readCount 64, blockMs 1000), one per process',
    },
    backends,
    table,
    checks_failed: failed,
    best: bestOf(results),
    runs: results,
  };
  await mkdir(args.outDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`results: ${file}`);
  if (failed.length > 0) {
    process.exitCode = 1;
  }
}

await main();
