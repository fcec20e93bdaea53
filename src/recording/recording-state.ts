import type { RedisClient } from '../shared/redis/create-redis.js';

/**
 * Recording on/off lives in Redis (`{prefix}:recording` hash), so the process that applies a
 * command, the producers that write frames and the bridge that publishes recording_state
 * need not be the same process.
 */
export interface RecordingState {
  readonly recording: boolean;
  /** Sources to record; empty means every source. */
  readonly sources: readonly string[];
  /** Folder name of the session, e.g. `2024-05-01T12-30-00-123Z`; null when off. */
  readonly session: string | null;
  readonly sinceUs: number | null;
}

export const RECORDING_OFF: RecordingState = {
  recording: false,
  sources: [],
  session: null,
  sinceUs: null,
};

export function recordingKey(prefix: string): string {
  return `${prefix}:recording`;
}

/** A folder-safe timestamp. */
export function sessionName(atUs: number): string {
  return new Date(Math.floor(atUs / 1000)).toISOString().replace(/[:.]/g, '-');
}

/**
 * Pure and idempotent: re-applying the command that produced `current` changes nothing, so a
 * command re-applied after a crash does not start a second session.
 */
export function nextRecordingState(
  current: RecordingState,
  command: { recording: boolean; sources?: readonly string[] | undefined },
  nowUs: number,
): RecordingState {
  if (!command.recording) {
    return RECORDING_OFF;
  }
  const sources = [...new Set(command.sources ?? [])].sort();
  if (current.recording && sameList(current.sources, sources)) {
    return current;
  }
  return { recording: true, sources, session: sessionName(nowUs), sinceUs: nowUs };
}

export function isRecordingSource(state: RecordingState, source: string): boolean {
  return state.recording && (state.sources.length === 0 || state.sources.includes(source));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function parseRecordingHash(hash: Record<string, string>): RecordingState {
  if (hash.recording !== '1') {
    return RECORDING_OFF;
  }
  let sources: string[] = [];
  try {
    const parsed: unknown = JSON.parse(hash.sources ?? '[]');
    sources = Array.isArray(parsed) ? parsed.filter((s) => typeof s === 'string') : [];
  } catch {
    sources = [];
  }
  const since = Number(hash.since);
  return {
    recording: true,
    sources,
    session: hash.session ?? null,
    sinceUs: Number.isSafeInteger(since) ? since : null,
  };
}

export async function readRecordingState(
  redis: RedisClient,
  prefix: string,
): Promise<RecordingState> {
  return parseRecordingHash(await redis.hgetall(recordingKey(prefix)));
}

export async function writeRecordingState(
  redis: RedisClient,
  prefix: string,
  state: RecordingState,
): Promise<void> {
  const key = recordingKey(prefix);
  const fields = state.recording
    ? ['recording', '1', 'sources', JSON.stringify(state.sources), 'session', state.session ?? '']
    : ['recording', '0'];
  if (state.sinceUs !== null) {
    fields.push('since', String(state.sinceUs));
  }
  await redis
    .multi()
    .del(key)
    .hset(key, ...fields)
    .exec();
}

/** Reads, applies and writes one command; returns the new state. */
export async function applyRecordingCommand(
  redis: RedisClient,
  prefix: string,
  command: { recording: boolean; sources?: readonly string[] | undefined },
  nowUs: number,
): Promise<RecordingState> {
  const current = await readRecordingState(redis, prefix);
  const next = nextRecordingState(current, command, nowUs);
  if (next !== current) {
    await writeRecordingState(redis, prefix, next);
  }
  return next;
}
