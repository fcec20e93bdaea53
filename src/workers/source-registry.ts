import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys, sourcesKey, type SourceKeys } from '../shared/redis/keys.js';
import { readGroups } from '../shared/redis/stream-info.js';
import { isOomError } from '../shared/redis/trim-acked.js';
import { compareEntryIds, formatEntryId, parseEntryId } from '../shared/entry-id.js';

export interface SourceStream {
  readonly source: string;
  readonly keys: SourceKeys;
}

export interface SourceRegistryOptions {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly group: string;
  /** Fixed sources; empty means every id in the `{prefix}:sources` set, re-read on refresh. */
  readonly configured: readonly string[];
  readonly logger: Logger;
}

/**
 * XGROUP CREATE ... 0 MKSTREAM; an existing group (BUSYGROUP) is fine. At maxmemory Redis
 * refuses XGROUP CREATE even when the group exists (OOM is checked first), so a worker
 * started during an OOM looks the group up instead of failing.
 */
export async function ensureGroup(
  redis: RedisClient,
  stream: string,
  group: string,
  start = '0',
): Promise<boolean> {
  try {
    await redis.xgroup('CREATE', stream, group, start, 'MKSTREAM');
    return true;
  } catch (err) {
    if (err instanceof Error && err.message.includes('BUSYGROUP')) {
      return false;
    }
    if (isOomError(err) && (await readGroups(redis, stream)).some((g) => g.name === group)) {
      return false;
    }
    throw err;
  }
}

/**
 * Where a group that vanished under a running worker (XGROUP DESTROY, or the stream deleted)
 * starts again: after the newest frame of the source's last results and dead letters, '0'
 * when there are none (a stream made anew, after Redis lost its data). From '0' every frame
 * still in the stream was delivered again and got a second result (2 workers, 1200 frames:
 * 507 duplicates). Frames that were in flight in the lost group, before that point, are not
 * delivered again: with the group its pending list is gone, and nothing tells them from
 * settled ones.
 */
export async function restartPoint(redis: RedisClient, keys: SourceKeys): Promise<string> {
  // Dead letters settle frames too; they carry whole frames, so only a few are read.
  const [results, letters] = await Promise.all([
    redis.xrevrange(keys.results, '+', '-', 'COUNT', RESTART_LOOKBACK),
    redis.xrevrange(keys.dlq, '+', '-', 'COUNT', 8),
  ]);
  const frames = [
    ...results.map(([, fields]) => fieldValue(fields, 'frame')),
    ...letters.map(([, fields]) => fieldValue(fields, 'dlq_frame')),
  ].filter((id): id is string => id !== undefined && /^\d+-\d+$/.test(id));
  const ids = frames.map(parseEntryId).sort(compareEntryIds);
  return ids.length === 0 ? '0' : formatEntryId(ids[ids.length - 1]!);
}

/** Pure: a field's value in a flat `[k, v, ...]` entry. */
function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) {
      return fields[i + 1];
    }
  }
  return undefined;
}

/** Results looked at for the newest settled frame (settles of several workers interleave). */
const RESTART_LOOKBACK = 256;

/** The streams this worker consumes; new sources are picked up on refresh(). */
export class SourceRegistry {
  readonly #o: SourceRegistryOptions;
  readonly #streams = new Map<string, SourceStream>();
  readonly #log: Logger;
  #told = false;

  constructor(options: SourceRegistryOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'source-registry' });
  }

  list(): SourceStream[] {
    return [...this.#streams.values()];
  }

  byStream(framesKey: string): SourceStream | undefined {
    return this.#streams.get(framesKey);
  }

  /** Reads the source list, creates missing groups; returns the sources that are new. */
  async refresh(): Promise<SourceStream[]> {
    const ids =
      this.#o.configured.length > 0
        ? [...this.#o.configured]
        : (await this.#o.redis.smembers(sourcesKey(this.#o.prefix))).sort();
    if (!this.#told) {
      this.#told = true;
      await this.#tellWhatIsMissing(ids);
    }
    const added: SourceStream[] = [];
    for (const source of ids) {
      const keys = sourceKeys(this.#o.prefix, source);
      if (this.#streams.has(keys.frames)) {
        continue;
      }
      await ensureGroup(this.#o.redis, keys.frames, this.#o.group);
      const stream = { source, keys };
      this.#streams.set(keys.frames, stream);
      added.push(stream);
      this.#log.info({ source, stream: keys.frames, group: this.#o.group }, 'consuming source');
    }
    return added;
  }

  /** Once, at start: a worker that waits for nothing, or for a typo, says so. */
  async #tellWhatIsMissing(ids: readonly string[]): Promise<void> {
    const key = sourcesKey(this.#o.prefix);
    if (this.#o.configured.length === 0) {
      if (ids.length === 0) {
        this.#log.warn(
          { sourcesKey: key },
          'no sources yet: waiting for a producer to register one',
        );
      }
      return;
    }
    let registered: string[];
    try {
      registered = (await this.#o.redis.smembers(key)).sort();
    } catch {
      return; // only a hint: an ACL user limited to its own sources' keys may not read the set
    }
    const unknown = unregisteredSources(this.#o.configured, registered);
    if (unknown.length > 0) {
      this.#log.warn(
        { sources: unknown, registered, sourcesKey: key },
        'configured sources no producer has registered (a typo?): waiting for their streams',
      );
    }
  }

  /** After NOGROUP (the group destroyed, or the stream deleted): make every group exist again. */
  async ensureAll(): Promise<void> {
    for (const s of this.#streams.values()) {
      // One stream's NOGROUP lands here for all: look for a restart point only where needed.
      if ((await readGroups(this.#o.redis, s.keys.frames)).some((g) => g.name === this.#o.group)) {
        continue;
      }
      const start = await restartPoint(this.#o.redis, s.keys);
      if (await ensureGroup(this.#o.redis, s.keys.frames, this.#o.group, start)) {
        this.#log.error(
          { source: s.source, stream: s.keys.frames, group: this.#o.group, start },
          'consumer group was gone: made again after the newest settled frame; frames that were in flight in the lost group are not processed again',
        );
      }
    }
  }
}

/** Pure: configured sources that are not in the registered set. */
export function unregisteredSources(
  configured: readonly string[],
  registered: readonly string[],
): string[] {
  const known = new Set(registered);
  return configured.filter((s) => !known.has(s));
}
