import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { runProduce } from '../app/run-produce.js';
import { createRuntime } from '../app/runtime.js';
import { runWork } from '../app/run-work.js';
import { runDemo } from '../demo/run-demo.js';
import { shownConfig } from '../shared/config/hide-secrets.js';
import { defaultConfig } from '../shared/config/schema.js';
import { createLogger } from '../shared/logger.js';
import { formatStatus } from '../status/format-status.js';
import { readStatus } from '../status/read-status.js';
import type { CliContext, CommonOpts } from './cli-context.js';
import { producerFlags, redisFlags, workerFlags } from './flags.js';

/** The demo's own defaults, under any config file, env variable or flag. */
export const DEMO_DEFAULTS = {
  producer: { frames: 90, fps: 10, scene: 'plates' },
  worker: { processor: 'plate' },
  log: { level: 'warn' },
} as const;

/** config, produce, work, demo, status: the pipeline itself. */
export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('configuration helpers');
  config
    .command('init [path]')
    .description('write the full default config as JSON (stdout when no path)')
    .action(async (path?: string) => {
      const text = `${JSON.stringify(defaultConfig(), null, 2)}\n`;
      if (path === undefined) {
        process.stdout.write(text);
      } else {
        await writeFile(path, text, { flag: 'wx' });
        process.stderr.write(`wrote ${path}\n`);
      }
    });
  redisFlags(
    config.command('show').description('print the effective config (secrets hidden)'),
  ).action(async (opts: CommonOpts) => {
    const c = await ctx.configFrom(opts);
    process.stdout.write(`${JSON.stringify(shownConfig(c), null, 2)}\n`);
  });

  producerFlags(
    redisFlags(
      program
        .command('produce')
        .description('read frames from a source and add them to its stream'),
    ),
  )
    // The group `block` waits on and the stream is made with: it must be the workers' group.
    .option('--group <name>', 'consumer group the workers read with (block waits on its backlog)')
    .action(async (opts: CommonOpts) => {
      const runtime = createRuntime(await ctx.configFrom(opts));
      try {
        await runProduce(runtime, ctx.signal());
      } finally {
        await runtime.close();
      }
    });

  workerFlags(
    redisFlags(
      program
        .command('work')
        .description('consume frames with a consumer group and a processor pool'),
    ),
  ).action(async (opts: CommonOpts) => {
    const cfg = await ctx.configFrom(opts);
    const runtime = createRuntime(cfg);
    try {
      await runWork(runtime, ctx.signal());
    } finally {
      await runtime.close(cfg.worker.shutdownTimeoutMs);
    }
  });

  workerFlags(
    producerFlags(
      redisFlags(
        program
          .command('demo')
          .description(
            'synthetic producer + worker pool; starts a private redis-server when none is ' +
              'configured (defaults: 90 plate scenes at 10 fps, plate processor, log level warn)',
          ),
      ),
    ),
  ).action(async (opts: CommonOpts) => {
    // The demo is finite and quieter than a service, and shows the slow model: synthetic
    // car-plate scenes read by the plate processor on the pool. Defaults only: a config
    // file, env or flag still wins.
    const cfg = await ctx.configFrom(opts, { defaults: DEMO_DEFAULTS });
    const print = (line: string) => process.stderr.write(`${line}\n`);
    const summary = await runDemo(cfg, ctx.signal(), {
      redisConfigured: await ctx.redisConfigured(opts),
      logger: createLogger(cfg.log),
      print,
    });
    if (summary.plates.withTruth > 0) {
      print(
        `plates: ${summary.plates.correct}/${summary.plates.withTruth} read exactly ` +
          `(${((100 * summary.plates.correct) / summary.plates.withTruth).toFixed(1)}%)`,
      );
    }
    print(
      `done in ${summary.seconds.toFixed(1)}s: produced ${summary.produced}, processed ${summary.processed}, ` +
        `dead-lettered ${summary.deadLettered}, dropped ${summary.dropped}, pending ${summary.pending} (redis ${summary.redis})`,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  });

  redisFlags(program.command('status').description('streams, groups, consumers, lag, pending, DLQ'))
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: CommonOpts & { json?: boolean }) => {
      const cfg = await ctx.configFrom(opts, { defaults: { log: { level: 'warn' } } });
      const runtime = createRuntime(cfg);
      try {
        const redis = runtime.redis('status');
        await runtime.whenReady(redis, { signal: ctx.signal() });
        const statuses = await readStatus(redis, cfg.redis.prefix);
        process.stdout.write(
          opts.json === true
            ? `${JSON.stringify(statuses, null, 2)}\n`
            : `${formatStatus(statuses)}\n`,
        );
      } finally {
        await runtime.close();
      }
    });
}
