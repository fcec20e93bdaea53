import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RedisClient } from '../../../src/shared/redis/create-redis.js';
import type { SettleEntryArgs } from '../../../src/shared/redis/scripts.js';
import { SettleBatcher, shouldFlushNow } from '../../../src/workers/settle-batcher.js';

/**
 * A client whose pipelines record the ids of each call (fpSettleResults: many, fpSettleEntry:
 * one) and answer with `reply(id)`; a results call fails as a whole if one of its ids fails.
 */
function fakeRedis(
  reply: (id: string) => [Error | null, unknown] = () => [null, 1],
  isCluster = false,
) {
  const pipelines: string[][] = [];
  const calls: string[][] = [];
  const client = {
    isCluster,
    defineCommand() {},
    pipeline() {
      const ids: string[] = [];
      const answers: (() => [Error | null, unknown])[] = [];
      pipelines.push(ids);
      return {
        // settleResults(): 4 keys, group, maxLen, then id, field count, fields... per entry.
        fpSettleResults(...args: unknown[]) {
          const batch: string[] = [];
          for (let i = 6; i < args.length; i += 2 + Number(args[i + 1])) {
            batch.push(String(args[i]));
          }
          ids.push(...batch);
          calls.push(batch);
          answers.push(() => {
            const each = batch.map(reply);
            const failed = each.find(([err]) => err !== null);
            return failed ?? [null, each.map(([, v]) => v)];
          });
          return this;
        },
        // settleEntry(): 4 keys, then group, id, ...
        fpSettleEntry(...args: unknown[]) {
          const id = String(args[5]);
          ids.push(id);
          calls.push([id]);
          answers.push(() => reply(id));
          return this;
        },
        exec: () => Promise.resolve(answers.map((a) => a())),
      };
    },
  };
  return { client: client as unknown as RedisClient, pipelines, calls };
}

/**
 * Settles queued while a first one is in the air: with one flush in flight they all go out
 * together as the second pipeline. Resolves with their outcomes.
 */
function behindFirst(batcher: SettleBatcher, settles: readonly SettleEntryArgs[]) {
  const first = batcher.settle(args('0-0', 'first'));
  const rest = settles.map((a) => batcher.settle(a));
  return first.then(() => Promise.allSettled(rest));
}

function args(id: string, source = 'cam1'): SettleEntryArgs {
  return {
    framesKey: `p:{${source}}:frames`,
    targetKey: `p:{${source}}:results`,
    statsKey: `p:{${source}}:stats`,
    errorsKey: `p:{${source}}:errors`,
    group: 'g',
    id,
    maxLen: 100,
    stat: 'processed',
    copyOriginal: false,
    fields: ['frame', id],
  };
}

describe('settle batching (group commit)', () => {
  it('flushes while a flush slot is free, and a full batch at once', () => {
    assert.equal(shouldFlushNow(1, 64, 0, 1), true, 'nothing in the air: send now');
    assert.equal(shouldFlushNow(1, 64, 1, 1), false, 'wait for the answer, gather meanwhile');
    assert.equal(shouldFlushNow(63, 64, 1, 1), false);
    assert.equal(shouldFlushNow(64, 64, 1, 1), true, 'a full batch does not wait');
    assert.equal(shouldFlushNow(1, 64, 1, 2), true);
  });

  it('sends a lone settle at once: no timer', async () => {
    const { client, pipelines } = fakeRedis();
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    const settled = batcher.settle(args('1-0'));
    assert.deepEqual(pipelines, [['1-0']], 'written before any timer could run');
    assert.equal(await settled, true);
  });

  it('sends the settles queued while a flush is in the air as the next pipeline', async () => {
    const { client, pipelines } = fakeRedis();
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    const results = await Promise.all(
      ['1-0', '2-0', '3-0', '4-0', '5-0'].map((id) => batcher.settle(args(id))),
    );
    assert.deepEqual(results, [true, true, true, true, true]);
    assert.deepEqual(pipelines, [['1-0'], ['2-0', '3-0', '4-0', '5-0']]);
  });

  it('splits into pipelines of at most maxBatch', async () => {
    const { client, pipelines } = fakeRedis();
    const batcher = new SettleBatcher(client, { maxBatch: 2 });
    await Promise.all(['1-0', '2-0', '3-0', '4-0', '5-0'].map((id) => batcher.settle(args(id))));
    assert.deepEqual(pipelines, [['1-0'], ['2-0', '3-0'], ['4-0', '5-0']]);
  });

  it('keeps up to maxFlushesInFlight flushes in the air', async () => {
    const { client, pipelines } = fakeRedis();
    const batcher = new SettleBatcher(client, { maxBatch: 100, maxFlushesInFlight: 2 });
    await Promise.all(['1-0', '2-0', '3-0', '4-0'].map((id) => batcher.settle(args(id))));
    assert.deepEqual(pipelines, [['1-0'], ['2-0'], ['3-0', '4-0']]);
  });

  it('on a Cluster, uses one pipeline per source, so each stays within one slot', async () => {
    const { client, pipelines, calls } = fakeRedis(undefined, true);
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    await behindFirst(batcher, [args('1-0', 'a'), args('2-0', 'b'), args('3-0', 'a')]);
    assert.deepEqual(pipelines.slice(1), [['1-0', '3-0'], ['2-0']]);
    assert.deepEqual(calls.slice(1), [['1-0', '3-0'], ['2-0']]);
  });

  it('on one node, sends every source in one pipeline, one script call per source', async () => {
    const failing = new Error('OOM');
    const { client, pipelines, calls } = fakeRedis((id) =>
      id === '2-0' ? [failing, null] : [null, 1],
    );
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    const settled = await behindFirst(batcher, [
      args('1-0', 'a'),
      args('2-0', 'b'),
      args('3-0', 'a'),
      { ...args('4-0', 'b'), stat: 'dead_lettered' },
    ]);
    assert.deepEqual(pipelines.slice(1), [['1-0', '3-0', '2-0', '4-0']]);
    assert.deepEqual(calls.slice(1), [['1-0', '3-0'], ['2-0'], ['4-0']]);
    // Each answer goes to its own call: b's failed results call fails only b's result.
    assert.deepEqual(
      settled.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
  });

  it("sends a source's results in one script call and dead letters and drops on their own", async () => {
    const { client, calls } = fakeRedis();
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    const deadLetter: SettleEntryArgs = {
      ...args('2-0'),
      targetKey: 'p:{cam1}:dlq',
      stat: 'dead_lettered',
      copyOriginal: true,
    };
    await behindFirst(batcher, [args('1-0'), deadLetter, args('3-0')]);
    assert.deepEqual(calls.slice(1), [['1-0', '3-0'], ['2-0']]);
  });

  it('reports per entry whether this call acked it, and rejects only the failed call', async () => {
    const { client } = fakeRedis((id) =>
      id === '2-0' ? [null, 0] : id === '3-0' ? [new Error('OOM'), null] : [null, 1],
    );
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    const deadLetter: SettleEntryArgs = {
      ...args('3-0'),
      stat: 'dead_lettered',
      copyOriginal: true,
    };
    const [a, b, c] = await behindFirst(batcher, [args('1-0'), args('2-0'), deadLetter]);
    assert.deepEqual(a, { status: 'fulfilled', value: true });
    assert.deepEqual(b, { status: 'fulfilled', value: false });
    assert.equal(c?.status, 'rejected');
  });

  it('rejects every result of a script call that failed', async () => {
    const { client } = fakeRedis((id) => (id === '2-0' ? [new Error('OOM'), null] : [null, 1]));
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    const outcomes = await behindFirst(batcher, [args('1-0'), args('2-0')]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
  });

  it('rejects the settles of a flush whose pipeline could not be built', async () => {
    const { client } = fakeRedis();
    const broken = {
      ...client,
      isCluster: false,
      pipeline: () => {
        throw new Error('connection is closed');
      },
    } as unknown as RedisClient;
    const batcher = new SettleBatcher(broken, { maxBatch: 100 });
    await assert.rejects(batcher.settle(args('1-0')), /connection is closed/);
    await batcher.flush(); // nothing is left in the air
  });

  it('flush() resolves once every queued settle is answered', async () => {
    const { client, pipelines } = fakeRedis();
    const batcher = new SettleBatcher(client, { maxBatch: 100 });
    let answered = 0;
    for (const id of ['1-0', '2-0', '3-0']) {
      void batcher.settle(args(id)).then(() => answered++);
    }
    await batcher.flush();
    await new Promise((r) => setImmediate(r));
    assert.equal(answered, 3);
    assert.deepEqual(pipelines, [['1-0'], ['2-0', '3-0']]);
  });
});
