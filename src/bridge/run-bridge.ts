import { hostname } from 'node:os';
import type { Runtime } from '../app/runtime.js';
import { CommandQueueConsumer } from '../command-queue/command-queue.js';
import { applyRecordingCommand } from '../recording/recording-state.js';
import { sourceKeys, sourcesKey } from '../shared/redis/keys.js';
import { sleep } from '../shared/shutdown.js';
import { nowUs } from '../shared/stream-entries.js';
import { bridgeMetrics } from './bridge-metrics.js';
import { repeat } from './bridge-loop.js';
import { bridgeOptions, type BridgeOptionsInput } from '../shared/config/bridge-options.js';
import { envelope, type Envelope } from './envelope.js';
import { EnvelopeSink } from './envelope-sink.js';
import { entryEnvelope } from './entry-envelopes.js';
import { FramePreview } from './frame-preview.js';
import { nextBackpressure, type BackpressureState } from './status-events.js';
import { StatusPoller } from './status-poller.js';
import { positionsKey, StreamTail, type StreamBatch, type TailedStream } from './stream-tail.js';

export interface BridgeStats {
  /** Envelopes sent. */
  sent: number;
  /** Envelopes refused for being larger than maxMessageBytes. */
  refused: number;
  /** Stream entries that could not be turned into an envelope. */
  skipped: number;
  commandsApplied: number;
  commandsRejected: number;
}

export interface BridgeHooks {
  /** Called once the start positions are fixed: entries added from now on are mirrored. */
  readonly onReady?: () => void;
  /** Names the command processing list (default: `bridge-<hostname>`). */
  readonly commandConsumer?: string;
}

/** Composition root of `framepipe bridge`: streams -> envelopes -> pub/sub or key-value. */
export async function runBridge(
  runtime: Runtime,
  signal: AbortSignal,
  input: BridgeOptionsInput = {},
  hooks: BridgeHooks = {},
): Promise<BridgeStats> {
  const o = bridgeOptions(input);
  const { prefix } = runtime.config.redis;
  const channelPrefix = o.channelPrefix ?? prefix;
  const log = runtime.logger.child({ module: 'bridge', channelPrefix });
  const redis = runtime.redis('bridge');
  await runtime.whenReady(redis, { waitMs: Infinity, signal });
  const metrics = bridgeMetrics(runtime.metrics.registry);
  const stats: BridgeStats = {
    sent: 0,
    refused: 0,
    skipped: 0,
    commandsApplied: 0,
    commandsRejected: 0,
  };
  const sink = new EnvelopeSink({
    redis,
    channelPrefix,
    mode: o.mode,
    kvTtlMs: o.kvTtlMs,
    maxMessageBytes: o.maxMessageBytes,
    metrics,
    logger: runtime.logger,
  });
  const send = async (envelopes: readonly Envelope[]): Promise<void> => {
    const report = await sink.send(envelopes);
    stats.sent += report.sent;
    stats.refused += report.refused;
  };
  const tail = new StreamTail({
    blockingRedis: runtime.redis('bridge-read', { blocking: true }),
    redis,
    positionsKey: positionsKey(prefix),
    positionsField: channelPrefix,
    resume: o.resume,
    blockMs: o.blockMs,
    readCount: o.readCount,
  });
  let sources: string[] = [];
  const refreshSources = async (): Promise<void> => {
    sources = o.sources.length > 0 ? o.sources : (await redis.smembers(sourcesKey(prefix))).sort();
    const added = await tail.add(sources.flatMap(streamsOf(prefix)));
    if (added.length > 0) {
      log.info({ streams: added.map((s) => s.key) }, 'tailing streams');
    }
  };
  const backpressure = new Map<string, BackpressureState>();
  const toEnvelopes = (batch: StreamBatch): Envelope[] => {
    const out: Envelope[] = [];
    for (const [id, fields] of batch.entries) {
      try {
        const e = entryEnvelope(batch.stream.kind, id, fields, batch.stream.source);
        out.push(e);
        if (e.type === 'edge_metrics') {
          const source = batch.stream.source;
          const metricsPayload = (e.payload as { metrics: unknown }).metrics;
          const next = nextBackpressure(
            source,
            backpressure.get(source),
            metricsPayload,
            o.backpressureBufferedFrames,
          );
          backpressure.set(source, next.state);
          if (next.event !== undefined) {
            out.push(envelope('status', e.timestamp, next.event));
          }
        }
      } catch (err) {
        stats.skipped++;
        metrics.skipped.inc({ stream: batch.stream.kind });
        log.warn({ err, stream: batch.stream.key, entryId: id }, 'entry skipped');
      }
    }
    return out;
  };
  const poller = new StatusPoller({
    redis,
    prefix,
    workerStaleMs: o.workerStaleMs,
    // Well inside the key's TTL, so the state key never lapses between two polls.
    restateMs: o.mode === 'pubsub' ? undefined : o.kvTtlMs / 3,
  });

  await tail.init();
  await refreshSources();
  await send(await poller.poll(sources));
  log.info({ mode: o.mode, sources, frames: o.frames }, 'bridge started');
  hooks.onReady?.();

  let refreshedAt = performance.now();
  const loops: Promise<void>[] = [
    repeat('tail', 0, signal, log, async () => {
      if (performance.now() - refreshedAt >= o.sourcesRefreshMs) {
        refreshedAt = performance.now();
        await refreshSources();
      }
      for (const batch of await tail.read()) {
        await send(toEnvelopes(batch));
        const last = batch.entries.at(-1);
        if (last !== undefined) {
          await tail.commit(batch.stream.key, last[0]);
        }
      }
      if (tail.size === 0) {
        // Nothing to block on yet: wait for the next source refresh.
        await sleep(Math.min(o.blockMs, o.sourcesRefreshMs), signal);
      }
    }),
    repeat('status', o.statusIntervalMs, signal, log, async () => send(await poller.poll(sources))),
  ];
  if (o.frames) {
    const preview = new FramePreview({
      redis,
      prefix,
      width: o.frameWidth,
      quality: o.frameQuality,
    });
    loops.push(
      repeat('frames', Math.round(1000 / o.frameFps), signal, log, async () =>
        send(await preview.sample(sources)),
      ),
    );
  }
  let commands: CommandQueueConsumer | undefined;
  if (o.commands) {
    commands = new CommandQueueConsumer({
      redis,
      blockingRedis: runtime.redis('bridge-commands', { blocking: true }),
      prefix,
      consumer: hooks.commandConsumer ?? commandConsumerName(o.commandConsumer, hostname()),
      blockMs: o.blockMs,
      apply: async (command) => {
        await applyRecordingCommand(redis, prefix, command, nowUs());
        await send(await poller.poll(sources));
      },
      logger: runtime.logger,
    });
    loops.push(commands.run(signal).then(() => undefined));
  }
  await Promise.all(loops);
  const c = commands?.stats();
  stats.commandsApplied = c?.applied ?? 0;
  stats.commandsRejected = c?.rejected ?? 0;
  log.info(stats, 'bridge stopped');
  return stats;
}

function streamsOf(prefix: string): (source: string) => TailedStream[] {
  return (source) => {
    const keys = sourceKeys(prefix, source);
    return [
      { key: keys.results, kind: 'results', source },
      { key: keys.metrics, kind: 'metrics', source },
      { key: keys.dlq, kind: 'dlq', source },
    ];
  };
}

/**
 * Pure: the command consumer's name, which names its processing list: a command a crashed
 * bridge left there is applied by the next bridge of the same name. A container's hostname
 * changes with every restart, so set bridge.commandConsumer where it does.
 */
export function commandConsumerName(configured: string | undefined, host: string): string {
  return configured ?? `bridge-${host}`;
}
