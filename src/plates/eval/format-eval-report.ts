import type { EvalGroupStats, EvalSample } from './eval-metrics.js';

/** An image of the truth CSV that could not be read (missing file, not an image). */
export interface SkippedImage {
  readonly id: string;
  readonly group: string;
  readonly reason: string;
}

export interface EvalReport {
  readonly groups: readonly EvalGroupStats[];
  readonly samples: readonly EvalSample[];
  /** Left out of the stats above, so the report names them. */
  readonly skipped?: readonly SkippedImage[];
  /** Images the reader looked at a second time (off with --no-second-look). */
  readonly secondLooks?: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A Markdown table: one row per group, the images skipped, then the misreads (up to `maxMisses`). */
export function formatEvalReport(report: EvalReport, maxMisses = 20): string {
  const lines = [
    '| set | images | exact | exact % | char acc. | ms median | ms p95 | CPU ms median |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...report.groups.map(
      (g) =>
        `| ${g.group} | ${g.count} | ${g.exact} | ${pct(g.exactRate)} | ${pct(g.charAccuracy)} | ` +
        `${Math.round(g.msMedian)} | ${Math.round(g.msP95)} | ${g.cpuMsMedian === null ? '-' : Math.round(g.cpuMsMedian)} |`,
    ),
  ];
  if (report.secondLooks !== undefined) {
    lines.push(
      '',
      `Second looks: ${report.secondLooks} of ${report.samples.length} images read (off here: --no-second-look; in workers: worker.plateSecondLook false).`,
    );
  }
  const skipped = report.skipped ?? [];
  if (skipped.length > 0) {
    lines.push('', `Skipped, not counted above (${skipped.length}):`, '');
    lines.push(...skipped.map((s) => `- ${s.id}: ${s.reason}`));
  }
  const misses = report.samples.filter((s) => s.read === null || !s.truths.includes(s.read));
  if (misses.length > 0 && maxMisses > 0) {
    lines.push('', `Misreads (${Math.min(maxMisses, misses.length)} of ${misses.length}):`, '');
    for (const s of misses.slice(0, maxMisses)) {
      lines.push(`- ${s.id}: expected ${s.truths.join(' or ')}, read ${s.read ?? '(nothing)'}`);
    }
  }
  return lines.join('\n');
}
