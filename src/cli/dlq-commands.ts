import { Option, type Command } from 'commander';
import { createRuntime } from '../app/runtime.js';
import {
  getDeadLetters,
  listDeadLetters,
  purgeAllDeadLetters,
  purgeDeadLetters,
  redriveDeadLetters,
  sourceExists,
  type DeadLetter,
} from '../dlq/dead-letters.js';
import { isEntryId, splitIds } from '../dlq/entry-ids.js';
import { formatDeadLetters } from '../dlq/format-dead-letters.js';
import { ConfigError } from '../shared/errors.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { listSources } from '../status/read-status.js';
import type { CliContext, CommonOpts } from './cli-context.js';
import { redisFlags } from './flags.js';
import { positiveInt } from './option-values.js';

/** Each letter carries its JPEG, so a list is bounded in memory too. */
export const MAX_LIST_COUNT = 1000;

interface DlqOpts extends CommonOpts {
  source?: string;
  ids?: string[];
  all?: boolean;
}

/** dlq list|redrive|purge. */
export function registerDlqCommands(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('inspect, replay and purge dead-lettered frames');
  const dlqTarget = (cmd: Command) =>
    redisFlags(cmd)
      .option('--source <id>', 'source id (default: every source)')
      .option('--ids <ids>', 'comma-separated DLQ entry ids (<ms>-<seq>)', entryIds);

  dlqTarget(dlq.command('list').description('list dead letters with code and reason'))
    .addOption(
      new Option('--count <n>', `at most n per source, 1-${MAX_LIST_COUNT} (not with --ids)`)
        .argParser(positiveInt('--count', MAX_LIST_COUNT))
        .default(100),
    )
    .option('--json', 'print JSON')
    .action(async (opts: DlqOpts & { count: number; json?: boolean }, cmd: Command) => {
      if (opts.ids !== undefined && cmd.getOptionValueSource('count') !== 'default') {
        throw usage('--count', 'give --ids or --count, not both');
      }
      await withRedis(ctx, opts, async (redis, prefix, sources) => {
        const all: { source: string; letters: DeadLetter[] }[] = [];
        const found = new Set<string>();
        for (const source of sources) {
          const letters =
            opts.ids === undefined
              ? await listDeadLetters(redis, prefix, source, opts.count)
              : (await getDeadLetters(redis, prefix, source, opts.ids)).found;
          letters.forEach((l) => found.add(l.id));
          all.push({ source, letters });
          if (opts.json !== true) {
            process.stdout.write(`${formatDeadLetters(source, letters)}\n`);
          }
        }
        if (opts.json === true) {
          process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        }
        reportMissing(opts.ids?.filter((id) => !found.has(id)) ?? [], sources);
      });
    });

  dlqTarget(dlq.command('redrive').description('move dead letters back to their frames stream'))
    .option('--all', 'every dead letter of the source(s)')
    .action(async (opts: DlqOpts) => {
      const ids = targetIds(opts);
      await withRedis(ctx, opts, (redis, prefix, sources) =>
        actOnEachSource('redrove', ids, sources, async (source) => {
          const moved = (await redriveDeadLetters(redis, prefix, source, ids)).found;
          return moved.map((m) => m.id);
        }),
      );
    });

  dlqTarget(dlq.command('purge').description('delete dead letters (they stay counted)'))
    .option('--all', 'every dead letter of the source(s)')
    .action(async (opts: DlqOpts) => {
      const ids = targetIds(opts);
      await withRedis(ctx, opts, (redis, prefix, sources) =>
        actOnEachSource('purged', ids, sources, async (source) =>
          ids === undefined
            ? purgeAllDeadLetters(redis, prefix, source)
            : (await purgeDeadLetters(redis, prefix, source, ids)).found,
        ),
      );
    });
}

/**
 * redrive and purge: `act` per source gives the ids it acted on (or, for --all, their count);
 * prints the count per source, then names the ids no source had.
 */
async function actOnEachSource(
  verb: string,
  ids: readonly string[] | undefined,
  sources: readonly string[],
  act: (source: string) => Promise<readonly string[] | number>,
): Promise<void> {
  const found = new Set<string>();
  for (const source of sources) {
    const done = await act(source);
    const count = typeof done === 'number' ? done : done.length;
    if (typeof done !== 'number') {
      done.forEach((id) => found.add(id));
    }
    process.stdout.write(`${source}: ${verb} ${count}${none(ids, count)}\n`);
  }
  reportMissing(ids?.filter((id) => !found.has(id)) ?? [], sources);
}

function usage(flag: string, message: string, value?: unknown): ConfigError {
  return new ConfigError(message, [{ path: flag, message, value }]);
}

/** argParser of --ids: malformed ids would reach Redis as a Lua error naming the script hash. */
export function entryIds(text: string): string[] {
  const ids = splitIds(text);
  const bad = ids.filter((id) => !isEntryId(id));
  if (ids.length === 0 || bad.length > 0) {
    const shown = JSON.stringify(bad.length > 0 ? bad.join(',') : text);
    throw usage(
      '--ids',
      `--ids: expected comma-separated entry ids <ms>-<seq>, e.g. 1700000000000-0 (got ${shown})`,
      text,
    );
  }
  return ids;
}

/** Redrive and purge act on named ids, or on everything only with --all: never both. */
export function targetIds(opts: DlqOpts): string[] | undefined {
  if (opts.ids !== undefined && opts.all === true) {
    throw usage('--all', 'give --ids <id,...> or --all, not both');
  }
  if (opts.ids !== undefined) {
    return opts.ids;
  }
  if (opts.all === true) {
    return undefined;
  }
  throw usage('--ids', 'give --ids <id,...> or --all');
}

/** ` (no dead letters)` after a count of 0 for --all, so an empty source is not a silent 0. */
function none(ids: readonly string[] | undefined, n: number): string {
  return ids === undefined && n === 0 ? ' (no dead letters)' : '';
}

/** Names ids no source had; the command then exits 1, as it did not do all it was asked. */
function reportMissing(missing: readonly string[], sources: readonly string[]): void {
  if (missing.length === 0) {
    return;
  }
  const where =
    sources.length === 1 ? `the dead-letter stream of ${sources[0]}` : 'any dead-letter stream';
  process.stderr.write(`framepipe: not in ${where}: ${missing.join(', ')}\n`);
  process.exitCode = 1;
}

async function withRedis(
  ctx: CliContext,
  opts: DlqOpts,
  fn: (redis: RedisClient, prefix: string, sources: string[]) => Promise<void>,
): Promise<void> {
  const cfg = await ctx.configFrom(opts, { defaults: { log: { level: 'warn' } } });
  const prefix = cfg.redis.prefix;
  const runtime = createRuntime(cfg);
  try {
    const redis = runtime.redis('cli');
    await runtime.whenReady(redis, { signal: ctx.signal() });
    const sources = opts.source !== undefined ? [opts.source] : await listSources(redis, prefix);
    if (opts.source !== undefined && !(await sourceExists(redis, prefix, opts.source))) {
      const known = await listSources(redis, prefix);
      throw usage(
        '--source',
        `--source: no source ${JSON.stringify(opts.source)} under prefix ${JSON.stringify(prefix)}` +
          ` (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
        opts.source,
      );
    }
    if (sources.length === 0) {
      process.stderr.write(`framepipe: no sources under prefix ${JSON.stringify(prefix)}\n`);
    }
    await fn(redis, prefix, sources);
  } finally {
    await runtime.close();
  }
}
