/**
 * `npm run bench`: framepipe against the bare limit, BullMQ and raw XADD, on one private
 * redis-server, each scenario in its own child process. See docs/performance.md.
 */
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { startPrivateRedisServer } from '../src/demo/private-redis-server.js';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.js';
import { updatePerformanceDoc } from './lib/docs.js';
import { freshResultsFile } from './lib/results-file.js';
import { loadFrameSet, parseSize } from './lib/frames.js';
import { machineInfo, versions } from './lib/machine.js';
import {
  fixedRateSteps,
  planSettings,
  soakStep,
  SOAK_FPS,
  throughputSteps,
  type Step,
} from './lib/plan.js';
import { soakVerdict } from './lib/soak-verdict.js';
import { createProgressBar, type ProgressBar } from './lib/progress-bar.js';
import { comparisonText, markdownReport, targetsTable, textTable } from './lib/report.js';
import { runChild } from './lib/run-child.js';
import { FIXTURE_PROFILE_DIR_ENV } from './lib/spawn-fixture.js';
import { bestRuns, summarise, throughputRows, MAIN_SIZE } from './lib/summary.js';
import type { ScenarioResult } from './lib/tasks.js';

function label(step: Step): string {
  const t = step.task;
  const what = 'system' in t ? t.system : t.kind;
  const proc = 'processor' in t ? ` ${t.processor}` : '';
  const extra = t.kind === 'bullmq' ? ` c${t.concurrency}` : t.kind === 'bare' ? ` ${t.mode}` : '';
  return `${t.kind === what ? what : `${t.kind} ${what}`}${proc} ${t.size}${extra}`;
}

async function runSteps(
  steps: readonly Step[],
  port: number,
  admin: Redis,
  args: BenchArgs,
  bar: ProgressBar,
  results: ScenarioResult[],
): Promise<void> {
  for (const step of steps) {
    const name = label(step);
    bar.step(name, step.weight);
    await admin.flushall();
    const prefix = `bench${results.length}`;
    // framepipe's processes: the worker (and its producers' fixture), and the enqueue writer;
    // the hand-written streams loop's, to compare with.
    const profiled =
      step.task.kind === 'framepipe' ||
      step.task.kind === 'streams' ||
      step.task.kind === 'latency' ||
      (step.task.kind === 'enqueue' && step.task.system === 'framepipe');
    const profileDir =
      args.cpuProfDir !== undefined && profiled
        ? `${args.cpuProfDir}/${name.replaceAll(' ', '_')}`
        : undefined;
    try {
      const result = await runChild({ ...step.task, redisPort: port, prefix } as Step['task'], {
        // One folder per scenario: the process and each of its threads (Piscina, the tsx
        // loader) write a profile; Node's default names keep them apart (pid, thread id).
        // Its producers' process writes into a subfolder named after the fixture.
        ...(profileDir === undefined
          ? {}
          : {
              execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
              env: { [FIXTURE_PROFILE_DIR_ENV]: profileDir },
            }),
        onProgress: (f, detail) => bar.update(f, detail),
        onSample: (s) => bar.log(`  t=${s.atS}s  rss ${s.rssMb} MB  ${s.detail}`),
      });
      results.push(result);
      bar.log(
        `${name}: ${result.kind === 'recovery' ? `${result.recovery_s} s` : `${result.frames_per_s} frames/s`}`,
      );
    } catch (err) {
      bar.log(`${name}: FAILED ${(err as Error).message}`);
    }
  }
}

/** True when `cmd` is an executable on PATH. */
async function onPath(cmd: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      await access(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function bareFps(
  results: readonly ScenarioResult[],
  size: string,
  processor: string,
): number | undefined {
  const runs = results.filter(
    (r) => r.kind === 'bare' && r.processor === processor && r.size === size,
  );
  return runs.length === 0 ? undefined : Math.max(...runs.map((r) => r.frames_per_s));
}

function bestBullmqConcurrency(results: readonly ScenarioResult[], size: string): number {
  const runs = results.filter(
    (r) => r.kind === 'bullmq' && r.processor === 'stats' && r.size === size,
  );
  const top = [...runs].sort((a, b) => b.frames_per_s - a.frames_per_s)[0];
  return (top?.settings.concurrency as number | undefined) ?? 16;
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit((err as Error).message === USAGE ? 0 : 2);
  }
  const settings = planSettings(args.mode);
  const only = (s: Step) => args.only.length === 0 || args.only.includes(s.task.kind);
  const server = await startPrivateRedisServer({ extraArgs: ['--maxmemory-policy', 'noeviction'] });
  const stopServer = () => void server.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopServer);
  process.once('SIGTERM', stopServer);
  const admin = new Redis({ host: server.host, port: server.port });
  const started = new Date();
  const results: ScenarioResult[] = [];
  try {
    const machine = machineInfo();
    const vers = await versions(admin);
    for (const size of settings.sizes) {
      await loadFrameSet(parseSize(size), settings.distinct); // encode once, before any timing
    }
    if (args.mode === 'soak') {
      const step = soakStep(settings, args.soakSeconds);
      const bar = createProgressBar(step.weight);
      console.log(
        `soak: framepipe ${step.task.size} ${settings.latency.sources} x ${SOAK_FPS} fps for ${args.soakSeconds} s; RSS and Redis memory over time`,
      );
      await runSteps([step], server.port, admin, args, bar, results);
      bar.done();
    } else {
      const withRedisBenchmark = await onPath('redis-benchmark');
      if (!withRedisBenchmark) {
        console.log('redis-benchmark not found (Debian redis-tools): no XADD ceiling row');
      }
      const first = throughputSteps(settings, withRedisBenchmark).filter(only);
      const bar = createProgressBar(
        [...first, ...fixedRateSteps(settings, 0, 1)]
          .filter(only)
          .reduce((s, x) => s + x.weight, 0),
      );
      await runSteps(first, server.port, admin, args, bar, results);
      const l = settings.latency;
      const second = fixedRateSteps(
        settings,
        bestBullmqConcurrency(results, MAIN_SIZE),
        bareFps(results, l.size, l.processor),
      ).filter(only);
      await runSteps(second, server.port, admin, args, bar, results);
      bar.done();
    }
    const scenarios = bestRuns(results);
    const rows = throughputRows(scenarios);
    const summary = summarise(scenarios);
    console.log(`\n${textTable(scenarios)}\n`);
    if (rows.length > 0) {
      console.log(`${comparisonText(rows)}\n`);
    }
    if (args.mode === 'soak') {
      scenarios.forEach((r) => console.log(`${soakVerdict(r)}\n`));
    } else {
      console.log(`${targetsTable(summary)}\n`);
    }
    const date = started.toISOString().slice(0, 10);
    // A partial run (--only) never overwrites the day's complete results.
    const suffix = `${args.mode === 'quick' ? '' : `-${args.mode}`}${args.only.length > 0 ? `-only-${args.only.join('-')}` : ''}`;
    const file = await freshResultsFile(args.outDir, `${date}${suffix}`, started);
    const { targets, ...ratios } = summary;
    const out = {
      date: started.toISOString(),
      mode: args.mode,
      seconds: Math.round((Date.now() - started.getTime()) / 1000),
      ...ratios,
      targets,
      machine: { ...machine, loadavg_at_end: loadavg().map((l) => Math.round(l * 100) / 100) },
      versions: vers,
      settings: {
        ...settings,
        only: args.only,
        redis:
          'private redis-server, no persistence, noeviction, stream-node-max-bytes 2mb (deploy/redis/redis.conf)',
      },
      scenarios,
      ...(args.mode === 'soak'
        ? {}
        : { runs: results.length === scenarios.length ? undefined : results }),
    };
    await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`results: ${file}`);
    if (args.docs && args.mode !== 'soak') {
      const machineLine = `${machine.cores} x ${machine.cpu}, load average ${machine.loadavg_at_start.join(' ')} at start`;
      const versionLine = `node ${vers.node}, redis ${vers.redis}, bullmq ${vers.bullmq}, sharp ${vers.sharp}, framepipe ${vers.commit}`;
      await updatePerformanceDoc(
        'docs/performance.md',
        markdownReport(scenarios, rows, summary, {
          date,
          mode: args.mode,
          machine: machineLine,
          versions: versionLine,
          file,
        }),
      );
      console.log('docs/performance.md updated');
    }
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

await main();
