import { Option, type Command } from 'commander';
import { runApi } from '../api/run-api.js';
import { createRuntime } from '../app/runtime.js';
import { runBridge } from '../bridge/run-bridge.js';
import { pushCommand } from '../command-queue/command-queue.js';
import { migrate } from '../db/migrate.js';
import type { Config } from '../shared/config/schema.js';
import type { ViewerOptionsInput } from '../shared/config/viewer-options.js';
import { createLogger } from '../shared/logger.js';
import { runSink } from '../sink/run-sink.js';
import { startViewer } from '../viewer/start-viewer.js';
import type { CliContext, CommonOpts } from './cli-context.js';
import { redisFlags } from './flags.js';

/** bridge, view, record, db migrate, sink, api: the optional services around the pipeline. */
export function registerServiceCommands(program: Command, ctx: CliContext): void {
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
    .option(
      '--publish-frames',
      'also publish sampled, downscaled frames on {channelPrefix}:frame (channelPrefix defaults to redis.prefix)',
    )
    .option('--max-message-bytes <n>', 'refuse (and count) bigger envelopes')
    .option('--no-commands', 'do not consume the command queue here')
    .option('--viewer', 'serve the live web viewer from this process too')
    .action(
      async (
        opts: CommonOpts & { viewer?: boolean; commands?: boolean; publishFrames?: boolean },
      ) => {
        const cfg = await ctx.configFrom(opts, {
          flags: {
            bridge: {
              ...(opts.commands === false ? { commands: false } : {}),
              ...(opts.publishFrames === true ? { frames: true } : {}),
            },
          },
        });
        const runtime = createRuntime(cfg);
        try {
          const signal = ctx.signal();
          if (opts.viewer === true) {
            const viewer = await startViewer(runtime, bridgeViewerOptions(cfg));
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
    .option(
      '--viewer-allowed-hosts <names>',
      'without a token: host names to answer besides IP addresses and localhost',
    )
    .action(async (opts: CommonOpts) => {
      const cfg = await ctx.configFrom(opts);
      const runtime = createRuntime(cfg);
      try {
        const signal = ctx.signal();
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
        const cfg = await ctx.configFrom(
          { ...opts, sources: undefined },
          { defaults: { log: { level: 'warn' } } },
        );
        const runtime = createRuntime(cfg);
        try {
          const sources = opts.sources
            ?.split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          const redis = runtime.redis('cli');
          await runtime.whenReady(redis, { signal: ctx.signal() });
          await pushCommand(redis, cfg.redis.prefix, {
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
      const cfg = await ctx.configFrom(opts);
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
    .option(
      '--sink-consumer <name>',
      'consumer name (default hostname-pid); a stable one resumes its own pending entries',
    )
    .action(async (opts: CommonOpts & { migrate?: boolean }) => {
      const cfg = await ctx.configFrom(opts);
      const runtime = createRuntime(cfg);
      try {
        await runSink(runtime, ctx.signal(), {
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
      const cfg = await ctx.configFrom(opts);
      const runtime = createRuntime(cfg);
      try {
        const signal = ctx.signal();
        const probe = runtime.redis('api-health');
        await runtime.serveMetrics(() => probe.status === 'ready' && !signal.aborted);
        await runApi(runtime, signal, { ...cfg.api, pgUrl: cfg.postgres.url }, (api) =>
          process.stderr.write(`api on ${api.url}\n`),
        );
      } finally {
        await runtime.close();
      }
    });
}

/**
 * Pure: the options of the viewer `bridge --viewer` serves. It listens where this bridge
 * publishes: bridge.channelPrefix unless viewer.channelPrefix says otherwise.
 */
export function bridgeViewerOptions(cfg: Pick<Config, 'viewer' | 'bridge'>): ViewerOptionsInput {
  const channelPrefix = cfg.viewer.channelPrefix ?? cfg.bridge.channelPrefix;
  return { ...cfg.viewer, ...(channelPrefix === undefined ? {} : { channelPrefix }) };
}
