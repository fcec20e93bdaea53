import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, waitForValue } from '../helpers/wait-for.js';

describe('test helper waitFor / waitForValue', () => {
  it('returns the first value that passes, after polling', async () => {
    let n = 0;
    assert.equal(
      await waitForValue(
        'n to reach 3',
        () => ++n,
        (v) => v >= 3,
        { intervalMs: 1 },
      ),
      3,
    );
    let ready = false;
    setTimeout(() => (ready = true), 30);
    await waitFor('ready', () => ready, { timeoutMs: 5_000, intervalMs: 5 });
    assert.equal(ready, true);
  });

  it('fails after the timeout naming what it waited for, and the last value', async () => {
    await assert.rejects(
      waitForValue(
        'six dead letters',
        () => ({ dlq: 2 }),
        () => false,
        { timeoutMs: 30 },
      ),
      { message: 'timed out after 30 ms waiting for six dead letters; last value: {"dlq":2}' },
    );
    await assert.rejects(
      waitFor('the worker to be ready', () => false, 30),
      {
        message: 'timed out after 30 ms waiting for the worker to be ready',
      },
    );
  });
});
