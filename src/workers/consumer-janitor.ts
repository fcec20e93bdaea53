import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { callScript, hasScript } from '../shared/redis/script-command.js';
import { pairsToObject } from '../shared/redis/stream-info.js';
import { sleep } from '../shared/shutdown.js';
import type { SourceRegistry, SourceStream } from './source-registry.js';

/** Default for removing consumers that stopped reading: long, dead workers are rare. */
export interface ConsumerRow {
  readonly name: string;
  readonly pending: number;
  readonly idleMs: number;
}

/**
 * Consumers to remove: idle longer than idleConsumerMs and holding nothing. XGROUP DELCONSUMER
 * drops a consumer's pending entries, so one that still holds entries stays until the
 * reclaimer has claimed them (after claimIdleMs) and its pending count is 0.
 */
export function consumersToRemove(
  rows: readonly ConsumerRow[],
  self: string,
  idleConsumerMs: number,
): string[] {
  return rows
    .filter((r) => r.name !== self && r.pending === 0 && r.idleMs >= idleConsumerMs)
    .map((r) => r.name);
}

/** KEYS: frames. ARGV: group, consumer, idleMs. Re-checks atomically, then deletes. */
const DELETE_IF_IDLE_AND_EMPTY = `
local rows = redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
for _, r in ipairs(rows) do
  local c = {}
  for i = 1, #r, 2 do c[r[i]] = r[i + 1] end
  if c['name'] == ARGV[2] then
    if tonumber(c['pending']) == 0 and tonumber(c['idle']) >= tonumber(ARGV[3]) then
      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
      return 1
    end
    return 0
  end
end
return 0
`;

export interface ConsumerJanitorOptions {
  readonly redis: RedisClient;
  readonly group: string;
  /** This worker's consumer name: never removed. */
  readonly consumer: string;
  readonly idleConsumerMs: number;
  readonly sweepIntervalMs: number;
  readonly sources: SourceRegistry;
  readonly logger: Logger;
}

/** Removes consumers of dead workers once they are idle and empty, so XINFO stays readable. */
export class ConsumerJanitor {
  readonly #o: ConsumerJanitorOptions;
  readonly #log: Logger;

  constructor(options: ConsumerJanitorOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'consumer-janitor', consumer: options.consumer });
    if (!hasScript(options.redis, 'fpDeleteIdleConsumer')) {
      options.redis.defineCommand('fpDeleteIdleConsumer', {
        numberOfKeys: 1,
        lua: DELETE_IF_IDLE_AND_EMPTY,
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#o.sweepIntervalMs, signal);
      for (const s of this.#o.sources.list()) {
        if (signal.aborted) {
          break;
        }
        await this.sweep(s).catch((err: unknown) =>
          this.#log.warn({ err, stream: s.keys.frames }, 'idle consumer sweep failed'),
        );
      }
    }
  }

  /** Returns the consumers removed from this source's group. */
  async sweep(s: SourceStream): Promise<string[]> {
    const { redis, group, consumer, idleConsumerMs } = this.#o;
    const rows = ((await redis.xinfo('CONSUMERS', s.keys.frames, group)) as unknown[][]).map(
      (raw) => {
        const r = pairsToObject(raw);
        return { name: String(r.name), pending: Number(r.pending), idleMs: Number(r.idle) };
      },
    );
    const removed: string[] = [];
    for (const name of consumersToRemove(rows, consumer, idleConsumerMs)) {
      if (
        Number(
          await (callScript(
            redis,
            'fpDeleteIdleConsumer',
            s.keys.frames,
            group,
            name,
            idleConsumerMs,
          ) as Promise<unknown>),
        ) === 1
      ) {
        removed.push(name);
        this.#log.info({ stream: s.keys.frames, removed: name }, 'removed idle consumer');
      }
    }
    return removed;
  }
}
