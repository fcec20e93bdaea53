import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvalSample } from '../../../src/plates/eval/eval-metrics.js';
import { editDistance, percentile, summarise } from '../../../src/plates/eval/eval-metrics.js';
import { formatEvalReport } from '../../../src/plates/eval/format-eval-report.js';

const sample = (group: string, truth: string, read: string | null, ms: number): EvalSample => ({
  id: `${group}-${truth}`,
  group,
  truths: [truth],
  read,
  ms,
});

test('edit distance and nearest-rank percentiles', () => {
  assert.equal(editDistance('ABC1234', 'ABC1234'), 0);
  assert.equal(editDistance('AB01234', 'ABC1234'), 1);
  assert.equal(editDistance('', 'ABC'), 3);
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  assert.equal(percentile([], 50), 0);
});

test('stats per group plus an "all" row; a miss counts 0 character accuracy', () => {
  const groups = summarise([
    sample('easy', 'ABC1234', 'ABC1234', 10),
    sample('easy', 'ABC1234', 'ABC1284', 30),
    sample('hard', 'XY12ZZZ', null, 50),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.group, g.count, g.exact]),
    [
      ['easy', 2, 1],
      ['hard', 1, 0],
      ['all', 3, 1],
    ],
  );
  assert.ok(Math.abs((groups[0]?.charAccuracy ?? 0) - (1 + 6 / 7) / 2) < 1e-9);
  assert.equal(groups[1]?.charAccuracy, 0);
  const text = formatEvalReport({ groups, samples: [] });
  assert.match(text, /\| easy \| 2 \| 1 \| 50\.0% \|/);
});
