import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { cleanEnv } from '../helpers/cli.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';
import { fixturePath } from '../helpers/worker-fixtures.js';
import {
  isReady,
  seededRandom,
  spawnJson,
  spawnWorker,
  stopAll,
  type JsonChild,
} from './helpers/children.js';
import { assertInvariant, figureLine, readDurableStats, waitSettled } from './helpers/invariant.js';

const FRAMES = 3000;
const KILLS = 20;
const WORKERS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function consumerPending(redis: Redis, stream: string, consumer: string): Promise<number> {
  const rows = (await redis.xinfo('CONSUMERS', stream, 'workers')) as unknown[][];
  const row = rows.find((r) => r[r.indexOf('name') + 1] === consumer);
  return row === undefined ? 0 : Number(row[row.indexOf('pending') + 1]);
}

describe('chaos: workers killed with SIGKILL at random moments', () => {
  const children: JsonChild[] = [];
  const server = useRedisServer({
    beforeStop: () => {
      children.filter((c) => c.alive()).forEach((c) => c.proc.kill('SIGKILL'));
    },
  });

  it(`${KILLS} SIGKILLs across ${FRAMES} frames and ${WORKERS} worker processes: every frame ends with one result, none lost`, async (t) => {
    const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    let n = 0;
    const worker = () => {
      const w = spawnWorker(`chaos-${n++}`, server.port, prefix, {
        PROCESSOR: fixturePath('slow.ts'),
        FRAMEPIPE_TEST_SLOW_MS: '10',
        MAX_IN_FLIGHT: '8',
        CLAIM_IDLE_MS: '500',
        IDLE_CONSUMER_MS: '2000',
      });
      children.push(w);
      return w;
    };
    const live = Array.from({ length: WORKERS }, worker);
    const producer = spawnJson(
      'producer',
      [
        'src/cli.ts',
        'produce',
        '--redis-port',
        String(server.port),
        '--prefix',
        prefix,
        '--source',
        'cam1',
        '--frames',
        String(FRAMES),
        '--fps',
        '150',
        '--width',
        '160',
        '--height',
        '120',
        '--log-level',
        'warn',
      ],
      cleanEnv(),
    );
    children.push(producer);
    while ((await readDurableStats(server.redis, keys)).processed < 100) {
      await sleep(100);
    }
    let pendingAtKill = 0;
    let killsWhileProducing = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(200 + random() * 700);
      const ready = live.filter(isReady);
      if (ready.length === 0) {
        kill--;
        continue;
      }
      const victim = ready[Math.floor(random() * ready.length)]!;
      pendingAtKill += await consumerPending(server.redis, keys.frames, victim.name);
      if ((await readDurableStats(server.redis, keys)).produced < FRAMES) {
        killsWhileProducing++;
      }
      victim.proc.kill('SIGKILL');
      await victim.exited;
      live.splice(live.indexOf(victim), 1, worker());
    }
    assert.equal(await producer.exited, 0, producer.text());
    await waitSettled(server.redis, keys, 60_000, FRAMES);
    // Killed workers' consumers are removed once idle and empty; the live ones stay.
    const liveNames = new Set(live.map((w) => w.name));
    const groupConsumers = async () =>
      ((await server.redis.xinfo('CONSUMERS', keys.frames, 'workers')) as unknown[][]).map((r) =>
        String(r[r.indexOf('name') + 1]),
      );
    const leftover = await waitForValue(
      'dead consumers to be cleaned up',
      async () => (await groupConsumers()).filter((c) => !liveNames.has(c)),
      (names) => names.length === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.deepEqual(leftover, [], 'dead consumers were cleaned up');
    await stopAll(live);
    let duplicateSettles = 0;
    for (const w of live) {
      const stats = w.lines.find((l) => l.stats !== undefined)?.stats as
        { duplicates?: number } | undefined;
      duplicateSettles += stats?.duplicates ?? 0;
    }

    const s = await assertInvariant(server.redis, keys);
    assert.equal(s.produced, FRAMES);
    assert.equal(s.processed + s.deadLettered, FRAMES);
    // On a loaded machine workers start slowly and the last kills may come after the producer
    // is done; the first ones must not.
    assert.ok(killsWhileProducing >= 3, `kills while frames were flowing: ${killsWhileProducing}`);
    const line = figureLine('worker-chaos', {
      seed,
      frames: FRAMES,
      kills: KILLS,
      processed: s.processed,
      deadLettered: s.deadLettered,
      lost: 0,
      redelivered: pendingAtKill,
      redeliveredPerKill: (pendingAtKill / KILLS).toFixed(1),
      duplicateSettlesSeenBySurvivors: duplicateSettles,
      duplicateResults: 0,
    });
    t.diagnostic(line);
    process.stdout.write(`${line}\n`);
  });
});
