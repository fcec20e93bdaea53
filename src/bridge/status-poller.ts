import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { pairsToObject, readGroups } from '../shared/redis/stream-info.js';
import { nowUs } from '../shared/stream-entries.js';
import { readRecordingState, type RecordingState } from '../recording/recording-state.js';
import { envelope, type Envelope } from './envelope.js';
import { diffConsumers, type ConsumerRow } from './status-events.js';

/**
 * Polls what has no stream of its own: consumers of each source's groups (XINFO CONSUMERS,
 * diffed into worker_joined/worker_left) and the recording hash (recording_state on change,
 * once at start, and again every `restateMs` when set: the key-value mode's key has a TTL, and
 * a state that has not changed must not disappear from it).
 */
export class StatusPoller {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #workerStaleMs: number;
  #active: Map<string, ConsumerRow> | undefined;
  readonly #restateMs: number | undefined;
  readonly #now: () => number;
  #recording: string | undefined;
  #recordingSentAt = 0;

  constructor(options: {
    redis: RedisClient;
    prefix: string;
    workerStaleMs: number;
    restateMs?: number | undefined;
    now?: () => number;
  }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#workerStaleMs = options.workerStaleMs;
    this.#restateMs = options.restateMs;
    this.#now = options.now ?? (() => performance.now());
  }

  async poll(sources: readonly string[]): Promise<Envelope[]> {
    const out: Envelope[] = [];
    const rows = await this.#consumers(sources);
    const { active, events } = diffConsumers(this.#active ?? new Map(), rows, this.#workerStaleMs);
    if (this.#active !== undefined) {
      const at = nowUs();
      out.push(...events.map((e) => envelope('status', at, e)));
    }
    this.#active = active;
    const recording = await readRecordingState(this.#redis, this.#prefix);
    const text = JSON.stringify(recording);
    const due =
      this.#restateMs !== undefined && this.#now() - this.#recordingSentAt >= this.#restateMs;
    if (text !== this.#recording || due) {
      this.#recording = text;
      this.#recordingSentAt = this.#now();
      out.push(envelope('recording_state', nowUs(), recordingPayload(recording)));
    }
    return out;
  }

  async #consumers(sources: readonly string[]): Promise<ConsumerRow[]> {
    const rows: ConsumerRow[] = [];
    for (const source of sources) {
      const stream = sourceKeys(this.#prefix, source).frames;
      for (const g of await readGroups(this.#redis, stream)) {
        const reply = (await this.#redis.xinfo('CONSUMERS', stream, g.name)) as unknown[][];
        for (const raw of reply) {
          const c = pairsToObject(raw);
          rows.push({
            source,
            group: g.name,
            name: String(c.name),
            idleMs: Number(c.idle),
            pending: Number(c.pending),
          });
        }
      }
    }
    return rows;
  }
}

export interface RecordingPayload {
  readonly recording: boolean;
  readonly sources: readonly string[];
  readonly session: string | null;
}

export function recordingPayload(state: RecordingState): RecordingPayload {
  return { recording: state.recording, sources: state.sources, session: state.session };
}
