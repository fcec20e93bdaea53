import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import { ProducerLease } from '../../src/producer/producer-lease.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { LeaseHeldError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { useRedisServer } from '../helpers/redis-server.js';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('producer lease: one producer per source', () => {
  const clients: RedisClient[] = [];
  const server = useRedisServer({
    beforeStop: async () => {
      await Promise.all(clients.map((c) => closeRedis(c)));
    },
  });

  const setup = (prefix: string, producer: Record<string, unknown>) => {
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix },
      producer: { width: 32, height: 24, fps: 100, leaseTtlMs: 600, ...producer },
    });
    const redis = createRedis(config.redis, { name: 'producer' });
    clients.push(redis);
    const deps = { redis, logger: silentLogger(), metrics: createMetrics(new Registry()) };
    return { producer: createProducer(config, deps), keys: sourceKeys(prefix, 'cam1') };
  };

  /** A lease held by 'me' (TTL 60 s) on a clock the test moves; `lost` collects onLost. */
  const leaseOnClock = () => {
    const key = `test-${randomUUID()}:lease`;
    const clock = { ms: 0 };
    const lost: LeaseHeldError[] = [];
    const lease = new ProducerLease({
      redis: server.redis,
      key,
      source: 'cam1',
      ttlMs: 60_000,
      holder: 'me',
      now: () => clock.ms,
      onLost: (err) => lost.push(err),
    });
    return { key, clock, lost, lease };
  };

  it('refuses a second producer for the same source while the first runs', async () => {
    const prefix = `test-${randomUUID()}`;
    const first = setup(prefix, { frames: 0 });
    const ctl = new AbortController();
    const running = first.producer.run(ctl.signal);
    while (first.producer.stats().produced === 0) {
      await tick();
    }
    // Well past one TTL: the first producer keeps renewing its lease.
    await tick(1000);
    const second = setup(prefix, { frames: 1 });
    await assert.rejects(second.producer.run(new AbortController().signal), (err: unknown) => {
      assert.ok(err instanceof LeaseHeldError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_LEASE_HELD');
      // How long a crashed holder would keep the source: the time left on its lease.
      assert.ok(err.expiresInMs !== undefined && err.expiresInMs > 0, String(err.expiresInMs));
      assert.match(err.message, /it expires in \d+\.\d s unless that producer renews it/);
      return true;
    });
    await second.producer.close();

    ctl.abort();
    await running;
    await first.producer.close();
    assert.equal(await server.redis.get(first.keys.producerLease), null, 'released on close');
    const third = setup(prefix, { frames: 2 });
    assert.equal((await third.producer.run(new AbortController().signal)).produced, 2);
    await third.producer.close();
  });

  it('takes over once a crashed producer lease expires', async () => {
    const prefix = `test-${randomUUID()}`;
    const { keys } = setup(prefix, {});
    await server.redis.set(keys.producerLease, 'crashed-host:123', 'PX', 300);
    const early = setup(prefix, { frames: 1 });
    await assert.rejects(early.producer.run(new AbortController().signal), {
      code: 'FRAMEPIPE_ERR_LEASE_HELD',
    });
    while ((await server.redis.exists(keys.producerLease)) === 1) {
      await tick();
    }
    const late = setup(prefix, { frames: 3 });
    const stats = await late.producer.run(new AbortController().signal);
    await late.producer.close();
    assert.equal(stats.produced, 3);
  });

  it('stops with LeaseHeldError when another producer took its lease', async () => {
    const prefix = `test-${randomUUID()}`;
    const { producer, keys } = setup(prefix, { frames: 0, leaseTtlMs: 300 });
    const running = producer.run(new AbortController().signal);
    while (producer.stats().produced === 0) {
      await tick();
    }
    await server.redis.set(keys.producerLease, 'intruder', 'PX', 60_000);
    await assert.rejects(running, { code: 'FRAMEPIPE_ERR_LEASE_HELD' });
    await producer.close();
    assert.equal(await server.redis.get(keys.producerLease), 'intruder', 'not deleted on close');
  });

  it('renews only its own lease, retakes a vanished one, and never deletes another holder', async () => {
    const key = `test-${randomUUID()}:lease`;
    const lost: LeaseHeldError[] = [];
    let retaken = 0;
    const lease = new ProducerLease({
      redis: server.redis,
      key,
      source: 'cam1',
      ttlMs: 60_000,
      holder: 'me',
      onLost: (err) => lost.push(err),
      onRetaken: () => retaken++,
    });
    await lease.acquire();
    assert.equal(await lease.renew(), true);
    assert.equal(retaken, 0, 'a plain renewal');
    await server.redis.del(key); // e.g. Redis restarted without persistence
    assert.equal(await lease.renew(), true);
    assert.equal(await server.redis.get(key), 'me');
    assert.equal(retaken, 1, 'told that what it set up may be gone');
    await server.redis.set(key, 'other');
    assert.equal(await lease.renew(), false);
    assert.equal(lost[0]?.code, 'FRAMEPIPE_ERR_LEASE_HELD');
    await lease.release();
    assert.equal(await server.redis.get(key), 'other');
  });

  it('a lease not confirmed for 2/3 of its TTL (a stalled process) is checked before a write, and a lost one refuses it', async () => {
    const { key, clock, lost, lease } = leaseOnClock();
    await lease.acquire();
    // Another producer took over while this one stood still (its key expired meanwhile).
    await server.redis.set(key, 'other');
    clock.ms = 39_000;
    assert.equal(await lease.confirm(), true, 'within 2/3 of the TTL nobody else can hold it');
    clock.ms = 41_000;
    assert.equal(await lease.confirm(), false, 'checked, and lost: no write');
    assert.equal(lost.length, 1);
    assert.equal(await server.redis.get(key), 'other');
    await lease.release();
  });

  it('a check before a write joins a renewal already in flight (the overdue timer after a stall)', async () => {
    const { key, clock, lease } = leaseOnClock();
    await lease.acquire();
    await server.redis.set(key, 'other');
    clock.ms = 100_000;
    const overdue = lease.renew(); // the timer fired first, its answer not in yet
    assert.equal(await lease.confirm(), false, 'waits for that answer, does not say yes');
    assert.equal(await overdue, false);
    await lease.release();
  });

  it('a producer whose Redis lost its data registers its source and group again', async () => {
    const prefix = `test-${randomUUID()}`;
    const { producer, keys } = setup(prefix, { frames: 0 });
    const running = producer.run(new AbortController().signal);
    try {
      const sources = `${prefix}:sources`;
      while ((await server.redis.sismember(sources, 'cam1')) === 0) {
        await tick();
      }
      // What a restart without persistence leaves: none of the producer's keys.
      await server.redis.del(sources, keys.producerLease, keys.frames);
      const deadline = Date.now() + 10_000;
      while ((await server.redis.sismember(sources, 'cam1')) === 0 && Date.now() < deadline) {
        await tick();
      }
      assert.equal(await server.redis.sismember(sources, 'cam1'), 1, 'registered again');
      const groups = (await server.redis.xinfo('GROUPS', keys.frames)) as unknown[][];
      assert.ok(
        groups.some((g) => g[g.indexOf('name') + 1] === 'workers'),
        'group made again',
      );
    } finally {
      await producer.close();
      await running;
    }
  });
});
