import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys, sourcesKey, type SourceKeys } from '../shared/redis/keys.js';

export interface ResultSource {
  readonly source: string;
  readonly keys: SourceKeys;
}

/** XGROUP CREATE ... 0 MKSTREAM: a new sink group starts at the oldest result still kept. */
async function ensureGroup(redis: RedisClient, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) {
      throw err;
    }
  }
}

/** The results streams the sink consumes: configured ids, or the `{prefix}:sources` set. */
export class ResultSources {
  readonly #streams = new Map<string, ResultSource>();
  readonly #log: Logger;

  constructor(
    readonly redis: RedisClient,
    readonly prefix: string,
    readonly group: string,
    readonly configured: readonly string[],
    logger: Logger,
  ) {
    this.#log = logger.child({ module: 'result-sources' });
  }

  list(): ResultSource[] {
    return [...this.#streams.values()];
  }

  byStream(resultsKey: string): ResultSource | undefined {
    return this.#streams.get(resultsKey);
  }

  /** Re-reads the source list and creates missing groups; returns the sources that are new. */
  async refresh(): Promise<ResultSource[]> {
    const ids =
      this.configured.length > 0
        ? [...this.configured]
        : (await this.redis.smembers(sourcesKey(this.prefix))).sort();
    const added: ResultSource[] = [];
    for (const source of ids) {
      const keys = sourceKeys(this.prefix, source);
      if (!this.#streams.has(keys.results)) {
        await ensureGroup(this.redis, keys.results, this.group);
        const s = { source, keys };
        this.#streams.set(keys.results, s);
        added.push(s);
        this.#log.info({ source, stream: keys.results, group: this.group }, 'sinking source');
      }
    }
    return added;
  }

  /** After NOGROUP (a results stream deleted and re-created). */
  async ensureAll(): Promise<void> {
    for (const s of this.#streams.values()) {
      await ensureGroup(this.redis, s.keys.results, this.group);
    }
  }
}
