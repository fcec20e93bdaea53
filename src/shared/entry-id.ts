/**
 * Explicit stream ids for frames. Redis refuses an XADD whose id is not greater than the
 * stream's last id, so a command that ioredis resends after a reconnect is refused (and
 * counted as a duplicate) instead of being stored twice.
 */
export interface EntryId {
  readonly ms: number;
  readonly seq: number;
}

export const ZERO_ID: EntryId = { ms: 0, seq: 0 };

/** The id after `last` for a frame captured at `captureMs`; monotonic even if the clock goes back. */
export function nextEntryId(last: EntryId, captureMs: number): EntryId {
  const ms = Math.floor(captureMs);
  return ms > last.ms ? { ms, seq: 0 } : { ms: last.ms, seq: last.seq + 1 };
}

export function formatEntryId(id: EntryId): string {
  return `${id.ms}-${id.seq}`;
}

/** Parses `ms-seq` (or a bare `ms`); throws on anything else. */
export function parseEntryId(text: string): EntryId {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (match === null) {
    throw new TypeError(`not a stream id: "${text}"`);
  }
  return { ms: Number(match[1]), seq: Number(match[2] ?? '0') };
}

export function compareEntryIds(a: EntryId, b: EntryId): number {
  return a.ms === b.ms ? a.seq - b.seq : a.ms - b.ms;
}
