import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byLengthTrimPoint, RetentionWindow } from '../../../src/producer/retention.js';

describe('RetentionWindow: where to trim so the stream keeps maxLen entries', () => {
  const fill = (w: RetentionWindow, from: number, to: number) => {
    for (let ms = from; ms <= to; ms++) {
      w.add({ ms, seq: 0 });
    }
  };

  it('before maxLen ids were written (a restart), asks Redis to trim by length: at once, then per slack', () => {
    const w = new RetentionWindow(10, 2);
    assert.equal(w.trimPoint(), byLengthTrimPoint(10, 4), 'earlier runs may have left more');
    w.trimmed();
    fill(w, 1, 1);
    assert.equal(w.trimPoint(), undefined, 'one id since the trim, slack is 2');
    fill(w, 2, 2);
    assert.equal(w.trimPoint(), 'len:10:4');
    w.trimmed();
    fill(w, 3, 9);
    assert.equal(w.trimPoint(), 'len:10:4', 'still 9 of 10 written');
  });

  it('names the oldest of the last maxLen ids once slack ids were added since the last trim', () => {
    const w = new RetentionWindow(10, 2);
    fill(w, 1, 12);
    assert.equal(w.trimPoint(), '3-0');
    w.trimmed();
    w.add({ ms: 13, seq: 0 });
    assert.equal(w.trimPoint(), undefined, 'one id since the trim, slack is 2');
    w.add({ ms: 13, seq: 1 });
    assert.equal(w.trimPoint(), '5-0');
  });

  it('keeps working after the ring wrapped many times', () => {
    const w = new RetentionWindow(3, 1);
    fill(w, 1, 1000);
    assert.equal(w.trimPoint(), '998-0');
  });
});
