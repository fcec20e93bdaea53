import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventEmitter } from 'node:events';
import { awaitRedisReady, StoppedWhileWaitingError } from '../../src/shared/redis/await-ready.js';
import type { RedisClient } from '../../src/shared/redis/create-redis.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import { parseConfig } from '../../src/shared/config/load-config.js';
import { RedisUnavailableError } from '../../src/shared/errors.js';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const PASSWORD = 'right-secret';

describe('a Redis that cannot be used: wrong credentials, nothing listening', () => {
  let server: RedisServer;
  let deadPort: number;
  before(async () => {
    // The default user stays open for the helper's readiness check; framepipe connects as `fp`.
    server = await startRedisServer(['--user', 'fp', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
    deadPort = await freePort();
  });
  after(async () => {
    await server.stop();
  });

  const client = (url: string) =>
    createRedis(parseConfig([{ redis: { url } }]).redis, { name: 't' });

  it('awaitRedisReady resolves with the right password and fails at once with a wrong one', async () => {
    const good = client(`redis://fp:${PASSWORD}@127.0.0.1:${server.port}`);
    await awaitRedisReady(good, { address: 'here', waitMs: 5000 });
    assert.equal(await good.ping(), 'PONG');
    await closeRedis(good);

    const bad = client(`redis://fp:wrong@127.0.0.1:${server.port}`);
    const started = Date.now();
    await assert.rejects(
      // Infinity: a service waits for a Redis that is down, never for wrong credentials.
      awaitRedisReady(bad, { address: `127.0.0.1:${server.port}`, waitMs: Infinity }),
      (err: unknown) => {
        assert.ok(err instanceof RedisUnavailableError);
        assert.match(
          err.message,
          new RegExp(`cannot connect to Redis at 127\\.0\\.0\\.1:${server.port}`),
        );
        assert.match(err.message, /WRONGPASS/);
        assert.match(err.message, /check redis\.username and redis\.password/);
        assert.ok(!err.message.includes(':wrong@'), 'no URL with its password');
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000, 'not after retries');
    bad.disconnect();
  });

  it('awaitRedisReady gives up on a dead port after waitMs, naming the last error; an abort stops it', async () => {
    const dead = client(`redis://127.0.0.1:${deadPort}`);
    await assert.rejects(
      awaitRedisReady(dead, { address: `127.0.0.1:${deadPort}`, waitMs: 300 }),
      /cannot connect to Redis at 127\.0\.0\.1:\d+ \(no connection within 300 ms\); last error: connect ECONNREFUSED/,
    );
    const stop = new AbortController();
    const waiting = awaitRedisReady(dead, { address: 'x', waitMs: Infinity, signal: stop.signal });
    stop.abort();
    await assert.rejects(waiting, StoppedWhileWaitingError);
    dead.disconnect();
    const closed = client(`redis://fp:${PASSWORD}@127.0.0.1:${server.port}`);
    await awaitRedisReady(closed, { address: 'x', waitMs: 5000 });
    await closeRedis(closed);
    while (closed.status !== 'end') {
      await new Promise((r) => setTimeout(r, 10));
    }
    await assert.rejects(
      awaitRedisReady(closed, { address: 'x', waitMs: Infinity }),
      /the connection is closed/,
      'a closed client fails at once instead of waiting forever',
    );
  });

  it("a Cluster's node refusing the credentials is fatal too (ClusterAllFailedError.lastNodeError)", async () => {
    const cluster = Object.assign(new EventEmitter(), { status: 'connecting' });
    const waiting = awaitRedisReady(cluster as unknown as RedisClient, {
      address: 'cluster 127.0.0.1:7000',
      waitMs: Infinity,
    });
    const wrongpass = new Error('WRONGPASS invalid username-password pair or user is disabled.');
    cluster.emit(
      'error',
      Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: wrongpass }),
    );
    await assert.rejects(waiting, /retrying will not help.*WRONGPASS.*check redis\.username/s);
  });

  it('a service stopped (SIGTERM) while it waits for a Redis that is down exits 0', async () => {
    const run = startCli(
      ['produce', '--metrics-port', '0', '--redis-url', `redis://127.0.0.1:${deadPort}`],
      cleanEnv(),
    );
    // Once it is waiting (its first connection error is logged), stop it as Kubernetes would.
    while (!run.stderr().includes('ECONNREFUSED') && !run.stdout().includes('ECONNREFUSED')) {
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stderr(), /stopped while waiting for Redis at 127\.0\.0\.1:\d+/);
  });

  it('Ctrl-C stops a one-shot command while it connects, without waiting out the timeout', async () => {
    const run = startCli(
      ['status', '--redis-url', `redis://127.0.0.1:${deadPort}`],
      cleanEnv({ FRAMEPIPE_REDIS_CONNECT_TIMEOUT_MS: '60000' }),
    );
    while (!run.stderr().includes('ECONNREFUSED') && !run.stdout().includes('ECONNREFUSED')) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const started = Date.now();
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0, run.stderr());
    assert.ok(Date.now() - started < 10_000, 'not after the 60 s connect timeout');
    assert.match(run.stderr(), /stopped while waiting for Redis/);
  });

  it('status exits 1 at once with a wrong password: the address, the reason, what to check, no stack', async () => {
    const r = await runCli(['status', '--redis-url', `redis://fp:wrong@127.0.0.1:${server.port}`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /framepipe: cannot connect to Redis at 127\.0\.0\.1:\d+ \(retrying will not help\)/,
    );
    assert.match(r.stderr, /WRONGPASS/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.match(r.stderr, /FRAMEPIPE_ERR_REDIS_UNAVAILABLE/);
  });

  it('status exits 1 naming ECONNREFUSED when nothing listens, after redis.connectTimeoutMs', async () => {
    const r = await runCli(
      ['status', '--redis-url', `redis://127.0.0.1:${deadPort}`],
      cleanEnv({ FRAMEPIPE_REDIS_CONNECT_TIMEOUT_MS: '1000' }),
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /cannot connect to Redis at 127\.0\.0\.1:\d+ \(no connection within 1000 ms\); last error: connect ECONNREFUSED/,
    );
  });

  it('the demo uses the Redis it is given: one that does not answer is an error, not a swap', async () => {
    for (const flags of [
      ['--redis-port', String(deadPort)],
      ['--redis-url', `redis://127.0.0.1:${deadPort}`],
    ]) {
      const r = await runCli(
        ['demo', '--frames', '2', ...flags],
        cleanEnv({ FRAMEPIPE_REDIS_CONNECT_TIMEOUT_MS: '1000' }),
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot connect to Redis at 127\.0\.0\.1:\d+.*ECONNREFUSED/);
      assert.doesNotMatch(r.stderr, /private redis-server/);
    }
  });

  it('produce and work stop with exit 1 on a wrong password instead of retrying forever', async () => {
    for (const command of [['produce', '--frames', '3'], ['work']]) {
      const r = await runCli([
        ...command,
        '--metrics-port',
        '0',
        '--redis-url',
        `redis://fp:wrong@127.0.0.1:${server.port}`,
      ]);
      assert.equal(r.code, 1, `${command[0]}: ${r.stderr}`);
      assert.match(r.stderr, /cannot connect to Redis.*WRONGPASS/);
    }
  });
});
