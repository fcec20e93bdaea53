import { ConfigError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { reconnectDelayMs } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';
import { nowUs } from '../shared/stream-entries.js';
import { CommandSchema, parseCommand, type Command } from './command-schema.js';

/**
 * A reliable command list: producers LPUSH JSON on `{prefix}:command_queue`; a consumer
 * BLMOVEs the oldest to its own processing list, applies it, then LREMs it. A crash between
 * the move and the LREM leaves the command in the processing list, and the next start with
 * the same consumer name applies it again, so commands must be idempotent (recording is).
 */
export const REJECTED_MAX_LEN = 1000;

export const commandQueueKey = (prefix: string): string => `${prefix}:command_queue`;
export const commandRejectedKey = (prefix: string): string => `${prefix}:command_rejected`;
export const commandProcessingKey = (prefix: string, consumer: string): string =>
  `${prefix}:command_processing:${consumer}`;

/** Validates and queues a command (`framepipe record start|stop`); throws ConfigError if bad. */
export async function pushCommand(
  redis: RedisClient,
  prefix: string,
  command: Command,
): Promise<number> {
  const parsed = CommandSchema.safeParse(command);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: ['command', ...i.path].join('.'),
      value: undefined,
      message: i.message,
    }));
    throw new ConfigError(`invalid command: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return redis.lpush(commandQueueKey(prefix), JSON.stringify(parsed.data));
}

export interface RejectedCommand {
  readonly command: string;
  readonly reason: string;
  readonly consumer: string;
  readonly atUs: number;
}

export interface CommandQueueOptions {
  readonly redis: RedisClient;
  /** Dedicated connection: BLMOVE blocks it. */
  readonly blockingRedis: RedisClient;
  readonly prefix: string;
  /** Names the processing list; keep it stable across restarts. */
  readonly consumer: string;
  readonly blockMs: number;
  readonly apply: (command: Command) => Promise<void>;
  readonly logger: Logger;
}

export interface CommandQueueStats {
  applied: number;
  rejected: number;
  recovered: number;
}

export class CommandQueueConsumer {
  readonly #o: CommandQueueOptions;
  readonly #log: Logger;
  readonly #processing: string;
  readonly #stats: CommandQueueStats = { applied: 0, rejected: 0, recovered: 0 };

  constructor(options: CommandQueueOptions) {
    this.#o = options;
    this.#processing = commandProcessingKey(options.prefix, options.consumer);
    this.#log = options.logger.child({ module: 'command-queue', consumer: options.consumer });
  }

  stats(): CommandQueueStats {
    return { ...this.#stats };
  }

  async run(signal: AbortSignal): Promise<CommandQueueStats> {
    let errors = 0;
    let recovered = false;
    while (!signal.aborted) {
      try {
        if (!recovered) {
          await this.recover(signal);
          recovered = true;
        }
        const raw = await this.#o.blockingRedis.blmove(
          commandQueueKey(this.#o.prefix),
          this.#processing,
          'RIGHT',
          'LEFT',
          this.#o.blockMs / 1000,
        );
        if (raw !== null) {
          await this.#handle(raw);
        }
        errors = 0;
      } catch (err) {
        // What failed stays in the processing list: recover() applies it again first.
        recovered = false;
        this.#log.warn({ err }, 'command queue error, retrying');
        await sleep(reconnectDelayMs(++errors), signal);
      }
    }
    return this.stats();
  }

  /** Applies what a previous run moved to the processing list but did not finish. */
  async recover(signal?: AbortSignal): Promise<number> {
    // LPUSH order: the oldest command is at the right end.
    const left = (await this.#o.redis.lrange(this.#processing, 0, -1)).reverse();
    for (const raw of left) {
      if (signal?.aborted === true) {
        break;
      }
      this.#log.info({ command: raw }, 're-applying a command left by a stopped consumer');
      await this.#handle(raw);
      this.#stats.recovered++;
    }
    return left.length;
  }

  async #handle(raw: string): Promise<void> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) {
      await this.#reject(raw, parsed.reason);
      return;
    }
    await this.#o.apply(parsed.command);
    await this.#o.redis.lrem(this.#processing, 1, raw);
    this.#stats.applied++;
    this.#log.info({ command: parsed.command }, 'command applied');
  }

  async #reject(raw: string, reason: string): Promise<void> {
    const entry: RejectedCommand = {
      command: raw,
      reason,
      consumer: this.#o.consumer,
      atUs: nowUs(),
    };
    const key = commandRejectedKey(this.#o.prefix);
    await this.#o.redis
      .multi()
      .lpush(key, JSON.stringify(entry))
      .ltrim(key, 0, REJECTED_MAX_LEN - 1)
      .lrem(this.#processing, 1, raw)
      .exec();
    this.#stats.rejected++;
    this.#log.warn({ command: raw.slice(0, 500), reason }, 'command rejected');
  }
}
