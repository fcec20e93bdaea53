import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingFrame } from '../../helpers/frames.js';
import { FrameBuffer } from '../../../src/producer/frame-buffer.js';

const frame = (seq: number) => pendingFrame(seq);

describe('producer frame buffer', () => {
  it('with drop-oldest, never holds more than maxBufferedFrames and drops the oldest', async () => {
    const buf = new FrameBuffer('drop-oldest', 3);
    const signal = new AbortController().signal;
    const dropped: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await buf.push(frame(i), signal);
      if (r.kind === 'dropped') {
        dropped.push(r.frame.seq);
      }
      assert.ok(buf.size <= 3);
    }
    assert.deepEqual(dropped, [0, 1, 2]);
    assert.deepEqual(
      buf.take(10).map((f) => f.seq),
      [3, 4, 5],
    );
  });

  it('never drops a frame of the batch being written', async () => {
    const buf = new FrameBuffer('drop-oldest', 2);
    const signal = new AbortController().signal;
    await buf.push(frame(0), signal);
    await buf.push(frame(1), signal);
    buf.take(1);
    const r = await buf.push(frame(2), signal);
    assert.equal(r.kind === 'dropped' && r.frame.seq, 1);
    buf.settle(1);
    assert.deepEqual(
      buf.take(5).map((f) => f.seq),
      [2],
    );
  });

  it('with block, makes the source wait until a batch leaves', async () => {
    const buf = new FrameBuffer('block', 2);
    const signal = new AbortController().signal;
    await buf.push(frame(0), signal);
    await buf.push(frame(1), signal);
    let accepted = false;
    const third = buf.push(frame(2), signal).then((r) => {
      accepted = r.kind === 'accepted';
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(accepted, false);
    buf.take(2);
    buf.settle(2);
    await third;
    assert.equal(accepted, true);
    assert.equal(buf.size, 1);
  });

  it('holds several batches in flight, takes after them, and settles the oldest first', async () => {
    const buf = new FrameBuffer('drop-oldest', 6);
    const signal = new AbortController().signal;
    for (let i = 0; i < 6; i++) {
      await buf.push(frame(i), signal);
    }
    assert.deepEqual(
      buf.take(2).map((f) => f.seq),
      [0, 1],
    );
    assert.deepEqual(
      buf.take(3).map((f) => f.seq),
      [2, 3, 4],
    );
    assert.equal(buf.untaken, 1);
    // Full: drop-oldest may drop only the one frame not yet in a batch.
    const r = await buf.push(frame(6), signal);
    assert.equal(r.kind === 'dropped' && r.frame.seq, 5);
    buf.settle(2);
    assert.equal(buf.size, 4);
    assert.deepEqual(
      buf.take(9).map((f) => f.seq),
      [6],
    );
    buf.settle(3);
    buf.settle(1);
    assert.equal(buf.size, 0);
    assert.throws(() => buf.settle(1), /only 0 frames in flight/);
  });

  it('with block, a stop lets the frame waiting for room in (one over the cap) for the flush', async () => {
    const buf = new FrameBuffer('block', 1);
    const ctl = new AbortController();
    await buf.push(frame(0), ctl.signal);
    const pending = buf.push(frame(1), ctl.signal);
    ctl.abort();
    assert.equal((await pending).kind, 'accepted');
    assert.deepEqual(
      buf.take(9).map((f) => f.seq),
      [0, 1],
    );
  });
});
