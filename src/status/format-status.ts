import type { SourceStatus } from './read-status.js';

/** Left-aligned text table; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatStatus(statuses: readonly SourceStatus[]): string {
  if (statuses.length === 0) {
    return 'no sources yet (run `framepipe produce` or `framepipe demo`)';
  }
  const header = [
    'SOURCE',
    'LENGTH',
    'PRODUCED',
    'GROUP',
    'CONSUMERS',
    'LAG',
    'PENDING',
    'PROCESSED',
    'DEAD-LETTERED',
    'DROPPED',
    'IN-DLQ',
    'RESULTS',
  ];
  const sharded = statuses.some((s) => s.shard !== undefined);
  const rows: string[][] = [sharded ? ['SHARD', ...header] : header];
  for (const s of statuses) {
    const c = s.counters;
    const dropped = (c.dropped_unread ?? 0) + (c.dropped_pending ?? 0);
    const common = [String(c.produced ?? 0)];
    // Counters, so PRODUCED = PROCESSED + DEAD-LETTERED + DROPPED + LAG + PENDING holds after a
    // dlq purge or redrive too; IN-DLQ is what the dead-letter stream holds now.
    const tail = [
      String(c.processed ?? 0),
      String(c.dead_lettered ?? 0),
      String(dropped),
      String(s.dlq),
      String(s.results),
    ];
    if (s.groups.length === 0) {
      rows.push([s.source, String(s.frames.length), ...common, '-', '0', '-', '-', ...tail]);
    }
    for (const g of s.groups) {
      const lag = `${g.lag}${g.lagCounted ? '*' : ''}`;
      rows.push([
        s.source,
        String(s.frames.length),
        ...common,
        g.name,
        String(g.consumers.length),
        lag,
        String(g.pending),
        ...tail,
      ]);
    }
  }
  const counted = statuses.some((s) => s.groups.some((g) => g.lagCounted));
  const note = counted ? '\n* lag counted: XINFO reported NULL lag (stream trimmed)' : '';
  return formatTable(rows) + note;
}
