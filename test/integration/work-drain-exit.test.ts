import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { drainTimeoutError } from '../../src/app/run-work.js';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';
import { fixturePath } from '../helpers/worker-fixtures.js';

describe('framepipe work: exit status of a drain', () => {
  const server = useRedisServer();

  it('exits 1 with FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT when frames are still processing at the drain deadline, and the frame stays pending for a peer', async () => {
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const common = ['--redis-url', server.url, '--prefix', prefix];
    const produced = await runCli([
      ...['produce', ...common, '--source', 'cam1'],
      ...['--frames', '3', '--fps', '1000', '--width', '64', '--height', '48'],
    ]);
    assert.equal(produced.code, 0, produced.stderr);
    // hang-on-seq-1 never returns on seq 1 (the synthetic source counts from 0).
    const worker = startCli(
      ['work', ...common, '--processor', fixturePath('hang-on-seq-1.ts')],
      cleanEnv({ FRAMEPIPE_WORKER_SHUTDOWN_TIMEOUT_MS: '500' }),
    );
    await waitForValue(
      'two results',
      () => server.redis.xlen(keys.results),
      (n) => n === 2,
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 1, worker.stderr());
    assert.match(worker.stderr(), /did not finish within worker\.shutdownTimeoutMs \(500 ms\)/);
    assert.match(worker.stderr(), /FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT/);
    const [count] = await server.redis.xpending(keys.frames, 'workers');
    assert.equal(count, 1, 'the stuck frame is left pending for a peer');
  });

  it('says how many frames were left and when peers take them', () => {
    const err = drainTimeoutError(1, { shutdownTimeoutMs: 500, claimIdleMs: 3000 });
    assert.equal(err.code, 'FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT');
    assert.match(err.message, /1 frame was still processing.*claimIdleMs \(3000 ms\)/);
    assert.match(
      drainTimeoutError(2, { shutdownTimeoutMs: 1, claimIdleMs: 1 }).message,
      /2 frames were/,
    );
  });
});
