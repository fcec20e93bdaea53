#!/usr/bin/env node
// The only file that reads argv and env and installs signal handlers.
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { runDemo } from './demo/run-demo.js';
import { runProduce } from './app/run-produce.js';
import { createRuntime } from './app/runtime.js';
import { runWork } from './app/run-work.js';
import { flagsToLayer } from './app/flags-to-config.js';
import { loadConfig, mergeDeep, type ConfigLayer } from './shared/config/load-config.js';
import { defaultConfig, type Config } from './shared/config/schema.js';
import { ConfigError, FramepipeError } from './shared/errors.js';
import { createLogger } from './shared/logger.js';
import { formatStatus } from './status/format-status.js';
import { listSources, readStatus } from './status/read-status.js';
import { listDeadLetters, purgeDeadLetters, redriveDeadLetters } from './dlq/dead-letters.js';
import { formatDeadLetters } from './dlq/format-dead-letters.js';
import { runApi } from './api/run-api.js';
import { runBridge } from './bridge/run-bridge.js';
import { formatEvalReport, runPlateEval } from './plates/eval/run-eval.js';
import { progressBar } from './app/progress-line.js';
import { pushCommand } from './command-queue/command-queue.js';
import { migrate } from './db/migrate.js';
import { runSink } from './sink/run-sink.js';
import { startViewer } from './viewer/start-viewer.js';
import type { RedisClient } from './shared/redis/create-redis.js';

const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

function redisFlags(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'JSON config file (defaults < file < env < flags)')
    .option('--redis-url <url>', 'redis:// or rediss:// URL (env REDIS_URL)')
    .option('--redis-host <host>', 'Redis host')
    .option('--redis-port <port>', 'Redis port')
    .option('--prefix <prefix>', 'key prefix')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('--metrics-port <port>', 'serve /metrics, /healthz, /readyz on this port');
}

function producerFlags(cmd: Command): Command {
  return cmd
    .option('--source <id>', 'source id (names the streams)')
    .option('--kind <kind>', 'synthetic | folder | video | camera')
    .option('--path <path>', 'image folder, video file or camera device')
    .option('--loop', 'replay the folder or video when it ends')
    .option('--seed <n>', 'seed of the synthetic source')
    .option('--frames <n>', 'stop after n frames (0: no limit)')
    .option('--fps <n>', 'frame rate cap')
    .option('--width <px>', 'frame width')
    .option('--height <px>', 'frame height')
    .option('--quality <q>', 'JPEG quality 1-100')
    .option('--scene <scene>', 'synthetic source: pattern | plates')
    .option('--policy <policy>', 'backpressure: block | drop-oldest')
    .option('--max-len <n>', 'stream MAXLEN ~')
    .option('--max-backlog <n>', 'block policy: unread + pending bound')
    .option('--max-frame-bytes <n>', 'refuse larger frames');
}

function workerFlags(cmd: Command): Command {
  return cmd
    .option('--group <name>', 'consumer group')
    .option('--consumer <name>', 'consumer name (default hostname-pid)')
    .option('--sources <ids>', 'comma-separated source ids (default: all)')
    .option('--processor <name|path>', 'stats | thumbnail | noop | ./module.js')
    .option('--threads <n>', 'Piscina pool threads')
    .option('--max-in-flight <n>', 'frames processed at once')
    .option('--block-ms <ms>', 'XREADGROUP BLOCK')
    .option('--claim-idle-ms <ms>', 'reclaim entries idle longer than this')
    .option('--max-deliveries <n>', 'deliveries before dead-lettering')
    .option('--thumbnail-dir <dir>', 'output folder of the thumbnail processor');
}

interface CommonOpts extends Record<string, unknown> {
  config?: string;
}

async function configFrom(opts: CommonOpts, extra: ConfigLayer = {}): Promise<Readonly<Config>> {
  return loadConfig({
    file: opts.config,
    env: process.env,
    flags: mergeDeep(extra, flagsToLayer(opts)),
  });
}

/** True when the user pointed at a Redis: a flag, an env variable or the config file's redis section. */
async function redisConfigured(opts: CommonOpts): Promise<boolean> {
  if (opts.redisUrl !== undefined || opts.redisHost !== undefined || opts.redisPort !== undefined) {
    return true;
  }
  if (
    Object.keys(process.env).some(
      (k) => k === 'REDIS_URL' || /^FRAMEPIPE_REDIS_(URL|HOST|PORT|MODE)$/.test(k),
    )
  ) {
    return true;
  }
  if (opts.config !== undefined) {
    const fileOnly = await loadConfig({ file: opts.config });
    const d = defaultConfig().redis;
    return (
      fileOnly.redis.host !== d.host ||
      fileOnly.redis.port !== d.port ||
      fileOnly.redis.url !== undefined ||
      fileOnly.redis.mode !== d.mode
    );
  }
  return false;
}

/** First SIGINT/SIGTERM: graceful stop. Second: exit now; peers reclaim what stays unacked. */
function abortOnSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${sig} again: exiting without draining\n`);
      process.exit(EXIT_FAILURE);
    }
    process.stderr.write(`\n${sig}: stopping gracefully (again to force)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

function main(): Command {
  const program = new Command('framepipe')
    .description(
      'Durable Redis Streams pipeline for video frames: fast cameras, slow models, nothing lost.',
    )
    .showHelpAfterError();

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
    const c = await configFrom(opts);
    const shown = {
      ...c,
      redis: { ...c.redis, password: c.redis.password === undefined ? undefined : '***' },
    };
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  });

  producerFlags(
    redisFlags(
      program
        .command('produce')
        .description('read frames from a source and add them to its stream'),
    ),
  ).action(async (opts: CommonOpts) => {
    const runtime = createRuntime(await configFrom(opts));
    try {
      await runProduce(runtime, abortOnSignals());
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
    const cfg = await configFrom(opts);
    const runtime = createRuntime(cfg);
    try {
      await runWork(runtime, abortOnSignals());
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
            'synthetic producer + worker pool; starts a private redis-server when none is configured',
          ),
      ),
    ),
  ).action(async (opts: CommonOpts) => {
    // The demo is finite by default and quieter than a service.
    // The demo is finite and quieter than a service, and shows the slow model: synthetic
    // car-plate scenes read by the plate processor on the pool.
    const cfg = await configFrom(opts, {
      producer: { frames: 90, fps: 10, scene: 'plates' },
      worker: { processor: 'plate' },
      log: { level: 'warn' },
    });
    const print = (line: string) => process.stderr.write(`${line}\n`);
    const summary = await runDemo(cfg, abortOnSignals(), {
      redisConfigured: await redisConfigured(opts),
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
      const cfg = await configFrom(opts, { log: { level: 'warn' } });
      const runtime = createRuntime(cfg);
      try {
        const statuses = await readStatus(runtime.redis('status'), cfg.redis.prefix);
        process.stdout.write(
          opts.json === true
            ? `${JSON.stringify(statuses, null, 2)}\n`
            : `${formatStatus(statuses)}\n`,
        );
      } finally {
        await runtime.close();
      }
    });
  redisFlags(
    program.command('bridge').description('mirror results, metrics and status to Redis pub/sub'),
  )
    .option('--channel-prefix <prefix>', 'pub/sub channel prefix (default: the key prefix)')
    .addOption(
      new Option('--mode <mode>', 'pubsub, kv (latest per type) or both').choices([
        'pubsub',
        'kv',
        'both',
      ]),
    )
    .option('--publish-frames', 'also publish sampled, downscaled frames on {prefix}:frame')
    .option('--max-message-bytes <n>', 'refuse (and count) bigger envelopes')
    .option('--no-commands', 'do not consume the command queue here')
    .option('--viewer', 'serve the live web viewer from this process too')
    .action(
      async (
        opts: CommonOpts & { viewer?: boolean; commands?: boolean; publishFrames?: boolean },
      ) => {
        const cfg = await configFrom(opts, {
          bridge: {
            ...(opts.commands === false ? { commands: false } : {}),
            ...(opts.publishFrames === true ? { frames: true } : {}),
          },
        });
        const runtime = createRuntime(cfg);
        try {
          const signal = abortOnSignals();
          if (opts.viewer === true) {
            const viewer = await startViewer(runtime, cfg.viewer);
            process.stderr.write(`viewer on http://${cfg.viewer.host}:${viewer.port}/\n`);
          }
          const probe = runtime.redis('bridge-health');
          await runtime.serveMetrics(() => probe.status === 'ready' && !signal.aborted);
          await runBridge(runtime, signal, cfg.bridge);
        } finally {
          await runtime.close();
        }
      },
    );

  redisFlags(
    program
      .command('view')
      .description('live web viewer: frames, plate readings, lag, DLQ, recording'),
  )
    .option('--viewer-port <port>', 'HTTP port (default 8090)')
    .option('--viewer-host <host>', 'bind address (default 127.0.0.1)')
    .option('--viewer-token <token>', 'require this bearer token')
    .action(async (opts: CommonOpts) => {
      const cfg = await configFrom(opts);
      const runtime = createRuntime(cfg);
      try {
        const signal = abortOnSignals();
        const viewer = await startViewer(runtime, cfg.viewer);
        process.stderr.write(
          `viewer on http://${cfg.viewer.host}:${viewer.port}/ (run framepipe bridge to feed it)\n`,
        );
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      } finally {
        await runtime.close();
      }
    });

  const record = program
    .command('record')
    .description('turn recording of frames to disk on or off');
  for (const [name, recording] of [
    ['start', true],
    ['stop', false],
  ] as const) {
    redisFlags(
      record.command(name).description(`${name} recording (applied by the bridge's command queue)`),
    )
      .option('--sources <ids>', 'comma-separated sources (default: all)')
      .action(async (opts: CommonOpts & { sources?: string }) => {
        const cfg = await configFrom({ ...opts, sources: undefined }, { log: { level: 'warn' } });
        const runtime = createRuntime(cfg);
        try {
          const sources = opts.sources
            ?.split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          await pushCommand(runtime.redis('cli'), cfg.redis.prefix, {
            recording,
            ...(sources === undefined ? {} : { sources }),
          });
          process.stdout.write(`queued: recording ${recording ? 'on' : 'off'}\n`);
        } finally {
          await runtime.close();
        }
      });
  }

  const db = program.command('db').description('PostgreSQL schema');
  redisFlags(db.command('migrate').description('create or upgrade the results schema'))
    .option('--postgres-url <url>', 'PostgreSQL URL (env DATABASE_URL)')
    .action(async (opts: CommonOpts) => {
      const cfg = await configFrom(opts);
      const result = await migrate(cfg.postgres.url, { logger: createLogger(cfg.log) });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  redisFlags(
    program
      .command('sink')
      .description('write results to PostgreSQL (consumer group on the results streams)'),
  )
    .option('--postgres-url <url>', 'PostgreSQL URL (env DATABASE_URL)')
    .option('--migrate', 'apply pending migrations at start-up')
    .action(async (opts: CommonOpts & { migrate?: boolean }) => {
      const cfg = await configFrom(opts);
      const runtime = createRuntime(cfg);
      try {
        await runSink(runtime, abortOnSignals(), {
          ...cfg.sink,
          pgUrl: cfg.postgres.url,
          ...(opts.migrate === true ? { migrate: true } : {}),
        });
      } finally {
        await runtime.close();
      }
    });

  redisFlags(
    program
      .command('api')
      .description('HTTP query API: sources, latest results, plate history, frames'),
  )
    .option('--postgres-url <url>', 'PostgreSQL URL (env DATABASE_URL)')
    .option('--api-port <port>', 'HTTP port (default 8080)')
    .option('--api-host <host>', 'bind address (default 127.0.0.1)')
    .action(async (opts: CommonOpts) => {
      const cfg = await configFrom(opts);
      const runtime = createRuntime(cfg);
      try {
        const signal = abortOnSignals();
        const probe = runtime.redis('api-health');
        await runtime.serveMetrics(() => probe.status === 'ready' && !signal.aborted);
        await runApi(runtime, signal, { ...cfg.api, pgUrl: cfg.postgres.url }, (api) =>
          process.stderr.write(`api on ${api.url}\n`),
        );
      } finally {
        await runtime.close();
      }
    });

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
      await withRedis(opts, async (redis, prefix, sources) => {
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
      await withRedis(opts, async (redis, prefix, sources) => {
        for (const source of sources) {
          const moved = await redriveDeadLetters(redis, prefix, source, dlqIds(opts));
          process.stdout.write(`${source}: redrove ${moved.length}\n`);
        }
      });
    });
  dlqTarget(dlq.command('purge').description('delete dead letters (they stay counted)'))
    .option('--all', 'every dead letter of the source(s)')
    .action(async (opts: DlqOpts) => {
      await withRedis(opts, async (redis, prefix, sources) => {
        for (const source of sources) {
          const removed = await purgeDeadLetters(redis, prefix, source, dlqIds(opts));
          process.stdout.write(`${source}: purged ${removed}\n`);
        }
      });
    });
  return program;
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
  opts: DlqOpts,
  fn: (redis: RedisClient, prefix: string, sources: string[]) => Promise<void>,
): Promise<void> {
  const cfg = await configFrom(opts, { log: { level: 'warn' } });
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

main()
  .parseAsync(process.argv)
  .then(() => {
    // Open handles (pools, sockets) must not keep a finished command alive.
    process.exit(process.exitCode ?? 0);
  })
  .catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`framepipe: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    const code = err instanceof FramepipeError ? ` [${err.code}]` : '';
    process.stderr.write(`framepipe: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    if (!(err instanceof FramepipeError)) {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    }
    process.exit(EXIT_FAILURE);
  });
