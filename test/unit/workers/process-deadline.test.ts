import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessTimeoutError } from '../../../src/shared/errors.js';
import { withProcessDeadline } from '../../../src/workers/process-deadline.js';

describe('withProcessDeadline', () => {
  it('does not run the clock before the work starts it (a frame waiting for a thread)', async () => {
    let startClock: () => void = () => undefined;
    let finish: (v: number) => void = () => undefined;
    const run = withProcessDeadline((_signal, start) => {
      startClock = start;
      return new Promise<number>((resolve) => {
        finish = resolve;
      });
    }, 20);
    await new Promise((resolve) => setTimeout(resolve, 60)); // three limits, clock not started
    startClock();
    finish(5);
    assert.equal(await run, 5);
  });

  it('settles as the work does when it is in time', async () => {
    assert.equal(await withProcessDeadline(() => Promise.resolve(7), 1000), 7);
    await assert.rejects(
      withProcessDeadline(() => Promise.reject(new Error('model exploded')), 1000),
      /model exploded/,
    );
  });

  it('rejects with a ProcessTimeoutError at the deadline and aborts the work', async () => {
    let seen: AbortSignal | undefined;
    let lateReject: (err: Error) => void = () => undefined;
    const run = withProcessDeadline((signal, startClock) => {
      seen = signal;
      startClock();
      return new Promise<never>((_, reject) => {
        lateReject = reject;
      });
    }, 20);
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof ProcessTimeoutError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_PROCESS_TIMEOUT');
      return true;
    });
    assert.equal(seen?.aborted, true);
    assert.ok(seen?.reason instanceof ProcessTimeoutError);
    // A failure after the deadline is nobody's: no unhandled rejection.
    lateReject(new Error('too late'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
