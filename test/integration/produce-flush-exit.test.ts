import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { flushTimeoutError } from '../../src/app/run-produce.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { startCli } from '../helpers/cli.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';

describe('framepipe produce: exit status of a stop', () => {
  it('exits 1 with FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT when its flush gives frames up (Redis frozen)', async () => {
    const server = await startRedisServer();
    const redis = new Redis({ port: server.port });
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const producer = startCli([
      ...['produce', '--redis-url', `redis://127.0.0.1:${server.port}`, '--prefix', prefix],
      ...['--source', 'cam1', '--fps', '100', '--width', '64', '--height', '48'],
    ]);
    try {
      await waitForValue(
        'frames stored',
        () => redis.xlen(keys.frames),
        (n) => n >= 5,
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      process.kill(server.pid(), 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 300)); // frames pile up in the buffer
      producer.child.kill('SIGTERM');
      assert.equal(await producer.exited, 1, producer.stderr());
      assert.match(producer.stderr(), /FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT/);
      assert.match(producer.stderr(), /frames? (was|were) given up/);
    } finally {
      producer.child.kill('SIGKILL');
      process.kill(server.pid(), 'SIGCONT');
      redis.disconnect();
      await server.stop();
    }
  });

  it('says how many frames were given up, and that unconfirmed ones may be stored', () => {
    const err = flushTimeoutError(1);
    assert.equal(err.code, 'FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT');
    assert.match(err.message, /within 5000 ms: 1 frame was given up.*may be stored/);
    assert.match(flushTimeoutError(3).message, /3 frames were given up/);
  });
});
