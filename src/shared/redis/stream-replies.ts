/**
 * Parsers for the raw replies of XREADGROUP, XAUTOCLAIM and XPENDING as ioredis returns them
 * from `callBuffer` (ids and fields as Buffers; JPEG bytes must stay binary).
 */
export interface RawEntry {
  readonly id: string;
  /** null when the entry was trimmed away while it was pending. */
  readonly fields: Buffer[] | null;
}

export interface StreamBatch {
  readonly key: string;
  readonly entries: RawEntry[];
}

export interface AutoclaimPage {
  /** Where the next XAUTOCLAIM call starts; '0-0' when the scan is complete. */
  readonly cursor: string;
  readonly entries: RawEntry[];
  /** Pending ids whose entries no longer exist (Redis 7+ removed them from the PEL). */
  readonly deletedIds: string[];
}

const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v));

function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) {
    throw new TypeError(`unexpected ${what} reply: ${typeof v}`);
  }
  return v;
}

function parseEntry(raw: unknown): RawEntry {
  const [id, fields] = asArray(raw, 'stream entry');
  return {
    id: text(id),
    fields:
      fields === null || fields === undefined ? null : (asArray(fields, 'fields') as Buffer[]),
  };
}

/** XREADGROUP: null on timeout, else `[[key, [[id, fields|null], ...]], ...]`. */
export function parseReadReply(reply: unknown): StreamBatch[] {
  if (reply === null || reply === undefined) {
    return [];
  }
  return asArray(reply, 'XREADGROUP').map((raw) => {
    const [key, entries] = asArray(raw, 'XREADGROUP stream');
    return { key: text(key), entries: asArray(entries, 'entries').map(parseEntry) };
  });
}

/**
 * XAUTOCLAIM: `[cursor, entries, deletedIds]`. Redis 6.2 has no third element and returns
 * deleted entries as `[id, nil]` among the entries; both shapes end up in `deletedIds`.
 */
export function parseAutoclaimReply(reply: unknown): AutoclaimPage {
  const [cursor, entries, deleted] = asArray(reply, 'XAUTOCLAIM');
  const parsed = asArray(entries, 'XAUTOCLAIM entries').map(parseEntry);
  const deletedIds = deleted === undefined ? [] : asArray(deleted, 'deleted ids').map(text);
  for (const e of parsed) {
    if (e.fields === null) {
      deletedIds.push(e.id);
    }
  }
  return { cursor: text(cursor), entries: parsed.filter((e) => e.fields !== null), deletedIds };
}

/** XPENDING key group start end count [consumer]: `[[id, consumer, idleMs, deliveries], ...]`. */
export function parsePendingDeliveries(reply: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of asArray(reply, 'XPENDING')) {
    const [id, , , deliveries] = asArray(row, 'XPENDING row');
    out.set(text(id), Number(text(deliveries)));
  }
  return out;
}

/** XCLAIM ... JUSTID: the ids that are still pending and now ours. */
export function parseIdList(reply: unknown): string[] {
  return asArray(reply, 'id list').map(text);
}
