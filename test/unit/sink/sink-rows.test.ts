import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalisePlate, toSinkRow } from '../../../src/sink/sink-rows.js';
import type { ResultEntry } from '../../../src/shared/stream-entries.js';

const result = (processor: string, payload: unknown): ResultEntry => ({
  source: 'cam1',
  frameId: '1700000000000-3',
  seq: 3,
  processor,
  captureUs: 1_700_000_000_000_123,
  doneUs: 1_700_000_000_100_000,
  durationMs: 80,
  consumer: 'w1',
  payload,
});

describe('normalisePlate', () => {
  it('keeps only upper-case letters and digits, so spellings of one plate compare equal', () => {
    assert.equal(normalisePlate('abc-1234'), 'ABC1234');
    assert.equal(normalisePlate(' AB12 CDE '), 'AB12CDE');
    assert.equal(normalisePlate('７xyz.123'), '7XYZ123');
    assert.equal(normalisePlate('--'), '');
  });
});

describe('toSinkRow', () => {
  it('turns a plate reading into a plate_reads row with the normalised text and its box', () => {
    const payload = { plate: 'ab 12 cde', confidence: 0.91, bbox: { x: 1, y: 2, w: 3, h: 4 } };
    const row = toSinkRow('cam1', '1700000000001-0', result('plate', payload));
    assert.deepEqual(row, {
      table: 'plate_reads',
      source: 'cam1',
      frameEntryId: '1700000000000-3',
      resultEntryId: '1700000000001-0',
      processor: 'plate',
      capturedUs: 1_700_000_000_000_123,
      payload,
      plate: 'AB12CDE',
      confidence: 0.91,
      bbox: { x: 1, y: 2, w: 3, h: 4 },
    });
  });

  it('sends a frame where no plate was read, and other processors, to the results table', () => {
    for (const r of [
      result('plate', { plate: null, confidence: 0, bbox: null, candidates: [] }),
      result('plate', { plate: '  ', confidence: 0.2 }),
      result('plate', { unexpected: true }),
      result('stats', { plate: 'ABC123' }),
    ]) {
      const row = toSinkRow('cam1', '1-0', r);
      assert.equal(row.table, 'results', JSON.stringify(r.payload));
      assert.equal(row.resultEntryId, '1-0');
    }
  });
});
