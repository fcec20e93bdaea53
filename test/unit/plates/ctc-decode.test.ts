import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabelMap, ctcDecodePlate } from '../../../src/plates/ocr/ctc-decode.js';

// Labels as the recogniser has them: blank, some dictionary entries, then a space.
const LABELS = ['', 'a', 'B', '1', '中', '-', 'O', '0', ' '];
const map = buildLabelMap(LABELS);

function steps(...rows: Record<string, number>[]): Float32Array {
  const out = new Float32Array(rows.length * LABELS.length);
  rows.forEach((row, t) => {
    for (const [label, p] of Object.entries(row)) {
      out[t * LABELS.length + LABELS.indexOf(label === 'blank' ? '' : label)] = p;
    }
  });
  return out;
}

test('repeats collapse, blanks separate, lower case folds to upper case', () => {
  const probs = steps({ a: 0.9 }, { a: 0.8 }, { blank: 0.9 }, { a: 0.9 }, { B: 0.7, '1': 0.2 });
  const chars = ctcDecodePlate(probs, 5, LABELS.length, map);
  assert.equal(chars.map((c) => c.char).join(''), 'AAB');
  assert.ok(Math.abs((chars[2]?.dist[1] ?? 0) - 0.7) < 1e-6);
});

test('non-plate labels and spaces act as group breaks', () => {
  const probs = steps({ B: 0.9 }, { 中: 0.9 }, { '1': 0.9 }, { ' ': 0.9 }, { '0': 0.6, O: 0.3 });
  const chars = ctcDecodePlate(probs, 5, LABELS.length, map);
  assert.deepEqual(
    chars.map((c) => [c.char, c.gapBefore]),
    [
      ['B', false],
      ['1', true],
      ['0', true],
    ],
  );
  const o = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.indexOf('O');
  assert.ok(Math.abs((chars[2]?.dist[o] ?? 0) - 0.3) < 1e-6);
});
