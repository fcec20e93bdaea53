import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import {
  PoisonFrameError,
  ProcessorError,
  isPermanentFrameError,
} from '../../../src/shared/errors.js';
import {
  createFramePool,
  outcomeError,
  transferableBytes,
} from '../../../src/workers/frame-pool.js';
import { fixturePath } from '../../helpers/worker-fixtures.js';
import { withProcessDeadline } from '../../../src/workers/process-deadline.js';
import { checksum } from './fixtures/checksum-pool.js';

const frameOf = (data: Uint8Array) => ({
  id: '1-0',
  source: 'cam1',
  seq: 1,
  captureUs: 1,
  width: 1,
  height: 1,
  data,
});
const options = { thumbnailDir: 'x', thumbnailWidth: 8 };

/** A pool of one thread running a fixture processor module. */
function onePoolThread(fixture: string) {
  return createFramePool({
    threads: 1,
    maxQueue: 32,
    processorUrl: pathToFileURL(fixturePath(fixture)).href,
    closeTimeoutMs: 5000,
  });
}

describe('the frame pool', () => {
  it('transfers a buffer that owns its memory and copies a view into a larger one', () => {
    const own = new Uint8Array(new ArrayBuffer(16));
    assert.deepEqual(transferableBytes(own), { bytes: own, copied: false });
    const chunk = Buffer.from('....JPEG....');
    const view = chunk.subarray(4, 8);
    const { bytes, copied } = transferableBytes(view);
    assert.equal(copied, true);
    assert.equal(bytes.byteLength, 4);
    assert.equal(bytes.buffer.byteLength, 4);
    assert.equal(Buffer.from(bytes).toString(), 'JPEG');
  });

  it('rebuilds a poison error from a task outcome so it is still dead-lettered at once', () => {
    const err = outcomeError({
      ok: false,
      name: 'PoisonFrameError',
      code: 'FRAMEPIPE_ERR_POISON_FRAME',
      message: 'x',
    });
    assert.ok(err instanceof PoisonFrameError);
    const other = outcomeError({ ok: false, name: 'TypeError', message: 'y' });
    assert.ok(other instanceof ProcessorError);
    assert.equal(isPermanentFrameError(other), false);
  });

  it('runs a pool processor on a thread and moves the bytes there intact', async () => {
    const pool = onePoolThread('checksum-pool.ts');
    try {
      const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
      const expected = checksum(data);
      const { value, processMs } = await pool.run(frameOf(Buffer.from(data)), options);
      const out = value as Record<string, unknown>;
      assert.ok(processMs >= 0 && processMs < 5000, `processMs ${processMs}`);
      assert.equal(out.checksum, expected);
      assert.equal(out.bytes, 5000);
      assert.equal(out.isMainThread, false);
      assert.equal(out.isUint8Array, true);
    } finally {
      await pool.close();
    }
  });

  it("times the processor's own work, not the wait for a thread", async () => {
    const pool = onePoolThread('sleepy-pool.ts');
    try {
      await pool.run(frameOf(new Uint8Array([1])), options); // the thread loads the module
      const started = performance.now();
      const runs = await Promise.all(
        [1, 2, 3, 4].map(() => pool.run(frameOf(new Uint8Array([1])), options)),
      );
      const wallMs = performance.now() - started;
      // One thread: the four runs did not overlap, so their own times fit in the wall time;
      // times that included the queue would add up to about 2.5 x it.
      const sum = runs.reduce((n, r) => n + r.processMs, 0);
      assert.ok(sum <= wallMs, `sum of processMs ${sum} > wall ${wallMs}`);
      assert.ok(
        runs.every((r) => r.processMs >= 25),
        JSON.stringify(runs),
      );
    } finally {
      await pool.close();
    }
  });

  it("a frame's time limit starts when a thread takes it, not while it waits for one", async () => {
    const pool = onePoolThread('sleepy-pool.ts');
    try {
      await pool.run(frameOf(new Uint8Array([1])), options); // the thread loads the module
      // 12 frames of 30 ms on one thread: the last waits ~330 ms, over the 200 ms limit.
      const runs = await Promise.allSettled(
        Array.from({ length: 12 }, () =>
          withProcessDeadline(
            (signal, startClock) =>
              pool.run(frameOf(new Uint8Array([1])), options, signal, startClock),
            200,
          ),
        ),
      );
      assert.deepEqual(
        runs.map((r) => r.status),
        Array.from({ length: 12 }, () => 'fulfilled'),
      );
    } finally {
      await pool.close();
    }
  });

  it('a poison error thrown on a thread comes back as a PoisonFrameError', async () => {
    const pool = onePoolThread('poison-pool.ts');
    try {
      await assert.rejects(pool.run(frameOf(new Uint8Array([1, 2])), options), PoisonFrameError);
    } finally {
      await pool.close();
    }
  });
});
