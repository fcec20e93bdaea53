import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingMigrations } from '../../../src/db/migrate.js';
import { MIGRATIONS } from '../../../src/db/migrations.js';
import { retryDelayMs } from '../../../src/sink/result-sink.js';

describe('retryDelayMs', () => {
  it('doubles from 200 ms and stops growing at 5 s, with up to half taken off as jitter', () => {
    assert.equal(
      retryDelayMs(0, () => 1),
      200,
    );
    assert.equal(
      retryDelayMs(1, () => 1),
      400,
    );
    assert.equal(
      retryDelayMs(50, () => 1),
      5000,
    );
    assert.equal(
      retryDelayMs(50, () => 0),
      2500,
    );
  });
});

describe('pendingMigrations', () => {
  it('returns the migrations not applied yet, in version order', () => {
    const all = [
      { version: 3, name: 'c', sql: '' },
      { version: 1, name: 'a', sql: '' },
      { version: 2, name: 'b', sql: '' },
    ];
    assert.deepEqual(
      pendingMigrations(all, new Set([1])).map((m) => m.version),
      [2, 3],
    );
  });

  it('numbers the shipped migrations 1..n without gaps', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
  });
});
