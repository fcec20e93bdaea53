export interface EvalSample {
  readonly id: string;
  readonly group: string;
  /** Acceptable answers (a photo may show several plates). */
  readonly truths: readonly string[];
  readonly read: string | null;
  readonly ms: number;
  /** CPU time of the process while reading (user + system), which a busy machine disturbs less. */
  readonly cpuMs?: number;
}

export interface EvalGroupStats {
  readonly group: string;
  readonly count: number;
  readonly exact: number;
  readonly exactRate: number;
  /** 1 - edit distance / truth length, averaged; a missed plate scores 0. */
  readonly charAccuracy: number;
  readonly msMedian: number;
  readonly msP95: number;
  readonly cpuMsMedian: number | null;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

export function isExact(sample: EvalSample): boolean {
  return sample.read !== null && sample.truths.includes(sample.read);
}

export function charAccuracy(sample: EvalSample): number {
  const read = sample.read ?? '';
  let best = 0;
  for (const truth of sample.truths) {
    best = Math.max(best, 1 - Math.min(1, editDistance(read, truth) / Math.max(1, truth.length)));
  }
  return best;
}

/** Nearest-rank percentile of an unsorted list (0 for an empty one). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return 0;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}

export function groupStats(group: string, samples: readonly EvalSample[]): EvalGroupStats {
  const exact = samples.filter(isExact).length;
  const ms = samples.map((s) => s.ms);
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  return {
    group,
    count: samples.length,
    exact,
    exactRate: samples.length === 0 ? 0 : exact / samples.length,
    charAccuracy:
      samples.length === 0 ? 0 : samples.reduce((s, x) => s + charAccuracy(x), 0) / samples.length,
    msMedian: percentile(ms, 50),
    msP95: percentile(ms, 95),
    cpuMsMedian: cpu.length === 0 ? null : percentile(cpu, 50),
  };
}

/** Stats per group, in first-seen order, then an "all" row when there is more than one group. */
export function summarise(samples: readonly EvalSample[]): EvalGroupStats[] {
  const groups = [...new Set(samples.map((s) => s.group))];
  const rows = groups.map((g) =>
    groupStats(
      g,
      samples.filter((s) => s.group === g),
    ),
  );
  return groups.length > 1 ? [...rows, groupStats('all', samples)] : rows;
}
