import { sleep } from '../shutdown.js';
import type { RedisClient } from './create-redis.js';

export interface StreamCursor {
  readonly key: string;
  /** XREAD: the last id seen; XREADGROUP: '>' for new entries. */
  readonly id: string;
}

export interface ReadStreamsOptions {
  /** XREADGROUP when given, plain XREAD otherwise. */
  readonly group?: { readonly name: string; readonly consumer: string } | undefined;
  readonly count: number;
  /** How long to wait for entries; undefined: answer at once (no BLOCK, no idle sleep). */
  readonly blockMs?: number | undefined;
  readonly streams: readonly StreamCursor[];
  readonly signal?: AbortSignal | undefined;
}

export function isCluster(client: RedisClient): boolean {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** Cluster polling: 5 ms after the first empty round, doubling, at most blockMs / 10. */
export function nextIdleSleepMs(previousMs: number, blockMs: number): number {
  const ceiling = Math.max(5, Math.floor(blockMs / 10));
  return Math.min(ceiling, previousMs === 0 ? 5 : previousMs * 2);
}

/**
 * Reads new entries of many streams; the reply has Redis's shape (`[[key, entries], ...]`).
 * Standalone and Sentinel: one XREAD(GROUP) BLOCK over all streams. Cluster: a multi-key read
 * must stay in one hash slot and each source has its own, so every stream is read on its own,
 * without BLOCK (blocked reads would queue behind each other on a node's connection), in
 * parallel, with an adaptive sleep while everything is empty. Keep one reader per loop.
 */
export class StreamReader {
  readonly #client: RedisClient;
  #idleMs = 0;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async read(o: ReadStreamsOptions): Promise<unknown[]> {
    const head =
      o.group === undefined ? ['XREAD'] : ['XREADGROUP', 'GROUP', o.group.name, o.group.consumer];
    const [command, ...prefix] = head as [string, ...string[]];
    if (!isCluster(this.#client)) {
      const reply = await this.#client.callBuffer(command, [
        ...prefix,
        'COUNT',
        o.count,
        ...(o.blockMs === undefined ? [] : ['BLOCK', o.blockMs]),
        'STREAMS',
        ...o.streams.map((s) => s.key),
        ...o.streams.map((s) => s.id),
      ]);
      return Array.isArray(reply) ? (reply as unknown[]) : [];
    }
    const replies = await Promise.all(
      o.streams.map((s) =>
        this.#client.callBuffer(command, [...prefix, 'COUNT', o.count, 'STREAMS', s.key, s.id]),
      ),
    );
    const batches = replies.flatMap((r) => (Array.isArray(r) ? (r as unknown[]) : []));
    const any = batches.some((b) => Array.isArray(b) && Array.isArray(b[1]) && b[1].length > 0);
    if (any || o.blockMs === undefined) {
      this.#idleMs = 0;
    } else {
      this.#idleMs = nextIdleSleepMs(this.#idleMs, o.blockMs);
      await sleep(this.#idleMs, o.signal);
    }
    return batches;
  }
}
