import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BacklogWaiter,
  backlogCredit,
  batchAllowance,
  onBufferFull,
  pollDelayMs,
} from '../../../src/producer/backpressure.js';
import type { RedisClient } from '../../../src/shared/redis/create-redis.js';

describe('backpressure decisions', () => {
  it('gives no room once the backlog reaches maxBacklog', () => {
    assert.equal(backlogCredit(100, 100), 0);
    assert.equal(backlogCredit(150, 100), 0);
    assert.equal(backlogCredit(90, 100), 10);
  });

  it('with block, cuts a batch to the room left so the backlog never passes the bound', () => {
    assert.equal(batchAllowance('block', 3, 16, 50), 3);
    assert.equal(batchAllowance('block', 100, 16, 50), 16);
    assert.equal(batchAllowance('block', 100, 16, 5), 5);
    assert.equal(batchAllowance('block', 0, 16, 5), 0);
  });

  it('with drop-oldest, ignores the backlog', () => {
    assert.equal(batchAllowance('drop-oldest', 0, 16, 50), 16);
  });

  it('accepts frames while the buffer has room, whatever the policy', () => {
    assert.equal(onBufferFull('block', 9, 0, 10), 'accept');
    assert.equal(onBufferFull('drop-oldest', 9, 9, 10), 'accept');
  });

  it('with block, a full buffer waits (stops pulling from the source)', () => {
    assert.equal(onBufferFull('block', 10, 4, 10), 'wait');
  });

  it('with drop-oldest, a full buffer drops its oldest frame not being written', () => {
    assert.equal(onBufferFull('drop-oldest', 10, 4, 10), 'drop-oldest');
    assert.equal(onBufferFull('drop-oldest', 10, 10, 10), 'drop-incoming');
  });

  it('polls with a doubling delay capped at 200 ms', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 30].map(pollDelayMs), [10, 20, 40, 80, 160, 200, 200]);
  });
});

describe('BacklogWaiter', () => {
  it('counts a wait while it lasts, poll by poll, not only once it ends', async () => {
    let polls = 0;
    const group = (lag: number) => [
      ['name', 'workers', 'consumers', 1, 'pending', 0, 'last-delivered-id', '1-0', 'lag', lag],
    ];
    // Full (lag 10 of maxBacklog 10) for four polls, then room.
    const redis = {
      xinfo: () => Promise.resolve(group(++polls <= 4 ? 10 : 0)),
      xlen: () => Promise.resolve(100),
    };
    let clock = 0;
    const waits: { ms: number; atPoll: number }[] = [];
    const waiter = new BacklogWaiter({
      redis: redis as unknown as RedisClient,
      stream: 'frames',
      group: 'workers',
      maxBacklog: 10,
      now: () => (clock += 100),
      onWait: (ms) => waits.push({ ms, atPoll: polls }),
    });
    assert.equal(await waiter.waitForCredit(new AbortController().signal), 10);
    assert.ok(
      waits.filter((w) => w.atPoll <= 4).length >= 2,
      `counted only at the end: ${JSON.stringify(waits)}`,
    );
    assert.equal(
      waits.reduce((n, w) => n + w.ms, 0),
      clock - 100,
      'the parts add up to the whole wait',
    );
  });
});
