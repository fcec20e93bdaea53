import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingFrame } from '../../helpers/frames.js';
import type { BacklogWaiter } from '../../../src/producer/backpressure.js';
import { FrameBuffer, type PendingFrame } from '../../../src/producer/frame-buffer.js';
import type { BatchReport, FramePublisher } from '../../../src/producer/frame-publisher.js';
import { publishBuffered } from '../../../src/producer/publish-loop.js';
import { silentLogger } from '../../../src/shared/logger.js';

const frame = (seq: number) => pendingFrame(seq);

/** A publisher whose batches stay unanswered until the test answers them. */
function heldPublisher() {
  const sent: { seqs: number[]; answer: () => void }[] = [];
  const publisher = {
    publish(batch: readonly PendingFrame[]): Promise<BatchReport> {
      return new Promise((resolve) => {
        sent.push({
          seqs: batch.map((f) => f.seq),
          answer: () =>
            resolve({ added: batch.length, duplicates: 0, unconfirmed: [], retries: 0 }),
        });
      });
    },
  };
  return { publisher: publisher as unknown as FramePublisher, sent };
}

/** Room for `room` frames, then none: a wait then lasts until the signal aborts. */
function fakeWaiter(room: number) {
  let credit = 0;
  let left = room;
  const waiter = {
    refreshes: 0,
    get credit() {
      return credit;
    },
    async waitForCredit(signal: AbortSignal): Promise<number> {
      if (credit === 0) {
        waiter.refreshes++;
        credit = left;
        left = 0;
      }
      if (credit === 0) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      }
      return credit;
    },
    consume(n: number) {
      credit = Math.max(0, credit - n);
    },
  };
  return waiter;
}

const tick = () => new Promise((r) => setImmediate(r));

async function filled(n: number): Promise<FrameBuffer> {
  const buffer = new FrameBuffer('drop-oldest', 100);
  const signal = new AbortController().signal;
  for (let i = 0; i < n; i++) {
    await buffer.push(frame(i), signal);
  }
  buffer.end();
  return buffer;
}

describe('publish loop', () => {
  it('writes up to batchesInFlight batches before the first is confirmed, confirms in order', async () => {
    const buffer = await filled(10);
    const { publisher, sent } = heldPublisher();
    const confirmed: number[][] = [];
    const done = publishBuffered({
      buffer,
      publisher,
      waiter: fakeWaiter(1000) as unknown as BacklogWaiter,
      policy: 'drop-oldest',
      batchSize: 3,
      batchesInFlight: 2,
      logger: silentLogger(),
      stop: new AbortController().signal,
      hard: new AbortController().signal,
      onBatch: (batch) => confirmed.push(batch.map((f) => f.seq)),
      onGivenUp: () => undefined,
    });
    await tick();
    assert.deepEqual(
      sent.map((s) => s.seqs),
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    );
    sent[1]!.answer(); // answered out of order: still confirmed after the first
    await tick();
    assert.deepEqual(confirmed, []);
    sent[0]!.answer();
    await tick();
    assert.deepEqual(confirmed, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await tick();
    sent.slice(2).forEach((s) => s.answer());
    await tick();
    sent.slice(2).forEach((s) => s.answer());
    await done;
    assert.deepEqual(confirmed.flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(buffer.size, 0);
  });

  it('with block, asks Redis for room only when no batch is in flight', async () => {
    const buffer = await filled(8);
    const { publisher, sent } = heldPublisher();
    const waiter = fakeWaiter(4);
    const stop = new AbortController();
    const hard = new AbortController();
    const done = publishBuffered({
      buffer,
      publisher,
      waiter: waiter as unknown as BacklogWaiter,
      policy: 'block',
      batchSize: 2,
      batchesInFlight: 4,
      logger: silentLogger(),
      stop: stop.signal,
      hard: hard.signal,
      onBatch: () => undefined,
      onGivenUp: () => undefined,
    });
    await tick();
    // Room for 4: two batches go, then the loop waits for them instead of asking again.
    assert.equal(sent.length, 2);
    assert.equal(waiter.refreshes, 1);
    sent[0]!.answer();
    await tick();
    assert.equal(sent.length, 2);
    assert.equal(waiter.refreshes, 1);
    sent[1]!.answer();
    await tick();
    assert.equal(waiter.refreshes, 2); // nothing in flight: now it reads the backlog again
    assert.equal(sent.length, 2, 'no room: it waits');
    hard.abort();
    stop.abort();
    await done;
  });

  it('writes nothing once its lease is lost: what is buffered is given up', async () => {
    const buffer = await filled(5);
    const { publisher, sent } = heldPublisher();
    const hard = new AbortController();
    const givenUp: [number, string][] = [];
    await publishBuffered({
      buffer,
      publisher,
      waiter: fakeWaiter(1000) as unknown as BacklogWaiter,
      policy: 'drop-oldest',
      batchSize: 3,
      batchesInFlight: 1,
      logger: silentLogger(),
      stop: new AbortController().signal,
      hard: hard.signal,
      // As the lease does: the check says no at once, and onLost aborts `hard` only after a
      // Redis round trip (a macrotask later): a loop that waited for that spun forever.
      mayWrite: () => {
        setTimeout(() => hard.abort(), 0);
        return Promise.resolve(false);
      },
      onBatch: () => undefined,
      onGivenUp: (n, stage) => givenUp.push([n, stage]),
    });
    assert.equal(sent.length, 0, 'no batch written');
    assert.deepEqual(givenUp, [[5, 'buffered']]);
  });
});
