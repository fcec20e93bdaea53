import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  fixturePath,
  keysOf,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
} from '../helpers/worker-fixtures.js';

const RUN_WORKER = fileURLToPath(new URL('./fixtures/run-worker.ts', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
}

function spawnWorker(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', RUN_WORKER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    parts
      .filter((l) => l.trim() !== '')
      .forEach((l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  });
  return { proc, lines };
}

async function consumerPending(redis: Redis, stream: string, consumer: string): Promise<number> {
  const rows = (await redis.xinfo('CONSUMERS', stream, 'workers')) as unknown[][];
  const row = rows.find((r) => r[r.indexOf('name') + 1] === consumer);
  return row === undefined ? 0 : Number(row[row.indexOf('pending') + 1]);
}

describe('worker process faults', () => {
  const children: ChildProcess[] = [];
  const server = useRedisServer({
    beforeStop: () => {
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .forEach((c) => c.kill('SIGKILL'));
    },
  });

  it('when a worker is killed with SIGKILL holding pending frames, a peer reclaims them: one result each', async () => {
    const config = testConfig(server, { claimIdleMs: 300 });
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 60);
    const victim = spawnWorker({
      REDIS_PORT: String(server.port),
      PREFIX: config.redis.prefix,
      CONSUMER: `victim-${randomUUID()}`,
      PROCESSOR: fixturePath('slow.ts'),
      FRAMEPIPE_TEST_SLOW_MS: '60000',
      MAX_IN_FLIGHT: '8',
    });
    children.push(victim.proc);
    await waitFor(
      'victim holds frames',
      async () => (await pendingCount(server.redis, keys)) >= 8,
      30_000,
    );
    victim.proc.kill('SIGKILL');
    await once(victim.proc, 'exit');

    const rescuer = await startWorker(server, {
      ...config,
      worker: { ...config.worker, consumer: 'rescuer' },
    });
    await waitFor('60 results', async () => (await server.redis.xlen(keys.results)) >= 60, 30_000);
    const stats = await rescuer.stop();

    const frames = await resultFrameIds(server.redis, keys);
    assert.equal(frames.length, 60);
    assert.deepEqual(new Set(frames), new Set(ids));
    assert.ok(stats.reclaimed >= 8, `reclaimed ${stats.reclaimed}`);
    assert.equal(await pendingCount(server.redis, keys), 0);
    assert.equal(await server.redis.xlen(keys.dlq), 0);
  });

  it('on SIGTERM a worker process finishes what it holds and exits 0 with nothing pending', async () => {
    const config = testConfig(server);
    const keys = keysOf(config);
    await putFrames(server.redis, config, 30);
    const consumer = `term-${randomUUID()}`;
    const child = spawnWorker({
      REDIS_PORT: String(server.port),
      PREFIX: config.redis.prefix,
      CONSUMER: consumer,
      PROCESSOR: fixturePath('slow.ts'),
      FRAMEPIPE_TEST_SLOW_MS: '300',
      MAX_IN_FLIGHT: '4',
    });
    children.push(child.proc);
    await waitFor(
      'child holds frames',
      async () => (await consumerPending(server.redis, keys.frames, consumer)) > 0,
      30_000,
    );
    child.proc.kill('SIGTERM');
    const [code] = (await once(child.proc, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(await pendingCount(server.redis, keys), 0);
    const last = child.lines.at(-1) as { stats?: { processed: number } } | undefined;
    assert.ok(last?.stats !== undefined && last.stats.processed > 0);
    assert.equal((await resultFrameIds(server.redis, keys)).length, last.stats.processed);
  });
});
