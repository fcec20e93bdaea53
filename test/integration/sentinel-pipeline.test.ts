import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import {
  MASTER_NAME,
  startRedisSentinels,
  type RedisSentinelSet,
} from '../helpers/redis-sentinel.js';
import { waitForValue } from '../helpers/wait-for.js';

describe('with Redis Sentinel (1 master, 1 replica, 3 sentinels)', () => {
  let set: RedisSentinelSet;
  before(async () => {
    set = await startRedisSentinels();
  });
  after(async () => set.stop());

  it(
    'the pipeline follows the new master after the old one is killed',
    { timeout: 120_000 },
    async () => {
      const prefix = `test-${randomUUID()}`;
      const keys = sourceKeys(prefix, 'cam1');
      const env = cleanEnv({
        FRAMEPIPE_REDIS_MODE: 'sentinel',
        FRAMEPIPE_REDIS_SENTINELS: JSON.stringify(set.sentinels),
        FRAMEPIPE_REDIS_SENTINEL_NAME: MASTER_NAME,
      });
      const common = ['--prefix', prefix];
      const sentinelClient = () =>
        new Redis({
          sentinels: [...set.sentinels],
          name: MASTER_NAME,
          maxRetriesPerRequest: null,
          lazyConnect: false,
        });
      const client = sentinelClient();
      client.on('error', () => {});
      const results = () => client.xlen(keys.results).catch(() => -1);
      const produce30 = () =>
        runCli(
          [
            'produce',
            ...common,
            '--frames',
            '30',
            '--fps',
            '1000',
            '--width',
            '64',
            '--height',
            '48',
          ],
          env,
        );

      const worker = startCli(
        ['work', ...common, '--sources', 'cam1', '--processor', 'noop', '--claim-idle-ms', '1000'],
        env,
      );
      try {
        const first = await produce30();
        assert.equal(first.code, 0, first.stderr);
        await waitForValue('30 results', results, (n) => n >= 30, {
          timeoutMs: 30_000,
          intervalMs: 100,
        });

        const old = await set.killMaster();
        const now = await set.waitForNewMaster(old);
        assert.notEqual(now, old);

        const second = await produce30();
        assert.equal(second.code, 0, second.stderr);
        const n = await waitForValue('results after the failover', results, (v) => v >= 60, {
          timeoutMs: 60_000,
          intervalMs: 100,
        });
        assert.ok(n >= 60);
        const frames = (await client.xrange(keys.results, '-', '+')).map(
          ([, f]) => f[f.indexOf('frame') + 1],
        );
        assert.equal(new Set(frames).size, frames.length, 'one result per frame');
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.stderr());
        client.disconnect();
      }
    },
  );
});
