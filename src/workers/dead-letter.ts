import type { SourceKeys } from '../shared/redis/keys.js';
import type { SettleEntryArgs } from '../shared/redis/scripts.js';
import { encodeDeadLetterFields, type DeadLetterInfo } from '../shared/stream-entries.js';

export interface SettleTarget {
  readonly keys: SourceKeys;
  readonly group: string;
  readonly id: string;
}

/** Copy of the original entry plus { code, reason, deliveries }, then XACK (one script). */
export function deadLetterArgs(
  t: SettleTarget,
  info: DeadLetterInfo,
  maxLen: number,
): SettleEntryArgs {
  return {
    framesKey: t.keys.frames,
    targetKey: t.keys.dlq,
    statsKey: t.keys.stats,
    errorsKey: t.keys.errors,
    group: t.group,
    id: t.id,
    maxLen,
    stat: 'dead_lettered',
    copyOriginal: true,
    fields: encodeDeadLetterFields(info),
  };
}

/** A pending entry whose stream entry was trimmed: ack it and count it, nothing to copy. */
export function droppedPendingArgs(t: SettleTarget): SettleEntryArgs {
  return {
    framesKey: t.keys.frames,
    targetKey: t.keys.dlq,
    statsKey: t.keys.stats,
    errorsKey: t.keys.errors,
    group: t.group,
    id: t.id,
    maxLen: 1,
    stat: 'dropped_pending',
    copyOriginal: false,
    fields: [],
  };
}

export function resultArgs(
  t: SettleTarget,
  fields: readonly string[],
  maxLen: number,
): SettleEntryArgs {
  return {
    framesKey: t.keys.frames,
    targetKey: t.keys.results,
    statsKey: t.keys.stats,
    errorsKey: t.keys.errors,
    group: t.group,
    id: t.id,
    maxLen,
    stat: 'processed',
    copyOriginal: false,
    fields,
  };
}
