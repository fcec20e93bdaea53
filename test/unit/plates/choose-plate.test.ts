import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecognisedLine } from '../../../src/plates/format/choose-plate.js';
import { choosePlates } from '../../../src/plates/format/choose-plate.js';

function line(text: string, y: number, h: number, prob = 0.95): RecognisedLine {
  return {
    bbox: { x: 100, y, w: h * text.length * 0.6, h },
    chars: [...text].map((char) => ({ char, prob })),
  };
}

test('the plate wins over a state name above it and a dealer frame below', () => {
  const reads = choosePlates([
    line('FLORIDA', 80, 14),
    line('ABC1234', 100, 30),
    line('DEALER', 140, 10),
  ]);
  assert.equal(reads[0]?.text, 'ABC1234');
  assert.ok(!reads.some((r) => r.text === 'FLORIDA'));
});

test('a reading that fits a layout beats a free one of the same size', () => {
  const reads = choosePlates([
    { ...line('XQWZK', 10, 30), bbox: { x: 0, y: 0, w: 90, h: 30 } },
    { ...line('AB12CDE', 10, 30), bbox: { x: 500, y: 0, w: 126, h: 30 } },
  ]);
  assert.equal(reads[0]?.text, 'AB12CDE');
  assert.equal(reads[0]?.layout, 'LL DD LLL');
});

test('larger text is preferred when both readings fit a layout', () => {
  const small = { ...line('XYZ9876', 0, 12), bbox: { x: 0, y: 300, w: 60, h: 12 } };
  const large = { ...line('ABC1234', 0, 36), bbox: { x: 0, y: 0, w: 200, h: 36 } };
  assert.equal(choosePlates([small, large])[0]?.text, 'ABC1234');
});

test('overlapping lines give one reading, and an empty frame gives none', () => {
  const a = line('ABC1234', 100, 30);
  const b = { ...line('ABC1Z34', 100, 30), bbox: { ...a.bbox, x: a.bbox.x + 4 } };
  assert.equal(choosePlates([a, b]).length, 1);
  assert.deepEqual(choosePlates([]), []);
});

test('readings below the confidence floor are dropped', () => {
  assert.deepEqual(choosePlates([line('ABC1234', 0, 30, 0.1)], 0.3), []);
});
