import { formatTable } from '../status/format-status.js';
import type { DeadLetter } from './dead-letters.js';

export function formatDeadLetters(source: string, letters: readonly DeadLetter[]): string {
  if (letters.length === 0) {
    return `${source}: no dead letters`;
  }
  const rows = [
    ['DLQ ID', 'FRAME', 'SEQ', 'CODE', 'DELIVERIES', 'CONSUMER', 'AT', 'BYTES', 'REASON'],
  ];
  for (const d of letters) {
    rows.push([
      d.id,
      d.frameId ?? '-',
      d.seq === null ? '-' : String(d.seq),
      d.code,
      String(d.deliveries),
      d.consumer,
      d.atUs > 0 ? new Date(d.atUs / 1000).toISOString() : '-',
      String(d.dataBytes),
      d.reason.length > 80 ? `${d.reason.slice(0, 77)}...` : d.reason,
    ]);
  }
  return `${source}:\n${formatTable(rows)}`;
}
