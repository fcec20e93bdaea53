import type { Command } from 'commander';
import { progressBar } from '../app/progress-line.js';
import { createRuntime } from '../app/runtime.js';
import { listDeadLetters, purgeDeadLetters, redriveDeadLetters } from '../dlq/dead-letters.js';
import { formatDeadLetters } from '../dlq/format-dead-letters.js';
import { formatEvalReport, runPlateEval } from '../plates/eval/run-eval.js';
import { ConfigError } from '../shared/errors.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { listSources } from '../status/read-status.js';
import type { CliContext, CommonOpts } from './cli-context.js';
import { redisFlags } from './flags.js';

/** plates eval and dlq list|redrive|purge: tools for operators. */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const plates = program.command('plates').description('license-plate reader tools');
  plates
    .command('eval')
    .description(
      'read every image of a labelled folder and print exact-match and character accuracy',
    )
    .requiredOption('--images <dir>', 'folder of images (whole scenes or plate crops)')
    .requiredOption('--truth <csv>', 'CSV rows file,plate[,x,y,w,h]')
    .option('--limit <n>', 'only the first n images')
    .action(async (opts: { images: string; truth: string; limit?: string }) => {
      let last = 0;
      const report = await runPlateEval({
        images: opts.images,
        truth: opts.truth,
        ...(opts.limit === undefined ? {} : { limit: Number(opts.limit) }),
        onProgress: ({ done, total }) => {
          if (Date.now() - last > 500 || done === total) {
            last = Date.now();
            process.stderr.write(`\r${progressBar(done, total)}`);
          }
        },
      });
      process.stderr.write('\n');
      process.stdout.write(`${formatEvalReport(report)}\n`);
    });

  const dlq = program.command('dlq').description('inspect, replay and purge dead-lettered frames');
  const dlqTarget = (cmd: Command) =>
    redisFlags(cmd)
      .option('--source <id>', 'source id (default: every source)')
      .option('--ids <ids>', 'comma-separated DLQ entry ids');
  dlqTarget(dlq.command('list').description('list dead letters with code and reason'))
    .option('--count <n>', 'at most n per source', '100')
    .option('--json', 'print JSON')
    .action(async (opts: DlqOpts & { count: string; json?: boolean }) => {
      await withRedis(ctx, opts, async (redis, prefix, sources) => {
        const all = [];
        for (const source of sources) {
          const letters = await listDeadLetters(redis, prefix, source, Number(opts.count));
          all.push({ source, letters });
          if (opts.json !== true) {
            process.stdout.write(`${formatDeadLetters(source, letters)}\n`);
          }
        }
        if (opts.json === true) {
          process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        }
      });
    });
  dlqTarget(dlq.command('redrive').description('move dead letters back to their frames stream'))
    .option('--all', 'every dead letter of the source(s)')
    .action(async (opts: DlqOpts) => {
      await withRedis(ctx, opts, async (redis, prefix, sources) => {
        for (const source of sources) {
          const moved = await redriveDeadLetters(redis, prefix, source, dlqIds(opts));
          process.stdout.write(`${source}: redrove ${moved.length}\n`);
        }
      });
    });
  dlqTarget(dlq.command('purge').description('delete dead letters (they stay counted)'))
    .option('--all', 'every dead letter of the source(s)')
    .action(async (opts: DlqOpts) => {
      await withRedis(ctx, opts, async (redis, prefix, sources) => {
        for (const source of sources) {
          const removed = await purgeDeadLetters(redis, prefix, source, dlqIds(opts));
          process.stdout.write(`${source}: purged ${removed}\n`);
        }
      });
    });
}

interface DlqOpts extends CommonOpts {
  source?: string;
  ids?: string;
  all?: boolean;
}

/** Redrive and purge act on named ids, or on everything only with --all. */
function dlqIds(opts: DlqOpts): string[] | undefined {
  if (opts.ids !== undefined) {
    return opts.ids
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (opts.all === true) {
    return undefined;
  }
  throw new ConfigError('give --ids <id,...> or --all', [
    { path: 'ids', value: undefined, message: 'required unless --all' },
  ]);
}

async function withRedis(
  ctx: CliContext,
  opts: DlqOpts,
  fn: (redis: RedisClient, prefix: string, sources: string[]) => Promise<void>,
): Promise<void> {
  const cfg = await ctx.configFrom(opts, { defaults: { log: { level: 'warn' } } });
  const runtime = createRuntime(cfg);
  try {
    const redis = runtime.redis('cli');
    const sources =
      opts.source !== undefined ? [opts.source] : await listSources(redis, cfg.redis.prefix);
    await fn(redis, cfg.redis.prefix, sources);
  } finally {
    await runtime.close();
  }
}
