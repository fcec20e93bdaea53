import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/shared/config/load-config.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { readDurableCounters } from '../../src/shared/redis/durable-counters.js';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';

describe('the framepipe CLI', () => {
  const server = useRedisServer();

  it('exits 2 naming the option, the value and what is allowed, for a bad flag', async () => {
    const r = await runCli(['work', '--threads', 'many', '--redis-url', server.url]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /worker\.threads/);
    assert.match(r.stderr, /"many"/);
  });

  it('exits 2 for usage errors too: an unknown flag, a bad choice, no command', async () => {
    for (const args of [['status', '--frobnicate'], ['status', '--log-level', 'verbose'], []]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: framepipe/);
    }
    assert.equal((await runCli(['--help'])).code, 0);
    const topic = await runCli(['help', 'nosuch']);
    assert.equal(topic.code, 2);
    assert.match(topic.stderr, /^framepipe: no command "nosuch"/);
  });

  it('exits 2 for a processor that names nothing, at once, even while Redis is down', async () => {
    for (const args of [
      ['work', '--processor', 'resnet', '--redis-port', '1'],
      ['work', '--processor', './no-such-model.js', '--redis-port', '1'],
      ['demo', '--processor', 'resnet'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /worker\.processor/);
      assert.doesNotMatch(r.stderr, /private redis-server/);
    }
  });

  it('exits 2 for a bad environment value too', async () => {
    const r = await runCli(
      ['produce'],
      cleanEnv({ FRAMEPIPE_PRODUCER_POLICY: 'drop-all', REDIS_URL: server.url }),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /producer\.policy/);
    assert.match(r.stderr, /"block", "drop-oldest"/);
  });

  it('config show hides every secret: Redis and PostgreSQL URL passwords, the viewer token', async () => {
    const r = await runCli(
      ['config', 'show', '--redis-url', 'redis://fp:redis-secret@127.0.0.1:6390'],
      cleanEnv({
        DATABASE_URL: 'postgres://app:pg-secret@127.0.0.1:5432/fp',
        FRAMEPIPE_VIEWER_TOKEN: 'viewer-secret-token',
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    for (const secret of ['redis-secret', 'pg-secret', 'viewer-secret-token']) {
      assert.ok(!r.stdout.includes(secret), `${secret} is shown`);
    }
    const shown = JSON.parse(r.stdout) as {
      redis: { url: string };
      postgres: { url: string };
      viewer: { token: string };
    };
    assert.equal(shown.redis.url, 'redis://fp:***@127.0.0.1:6390');
    assert.equal(shown.postgres.url, 'postgres://app:***@127.0.0.1:5432/fp');
    assert.equal(shown.viewer.token, '***');
  });

  it('a --redis-port or --redis-host flag wins over REDIS_URL instead of being ignored', async () => {
    const shown = await runCli(
      ['config', 'show', '--redis-port', '6391'],
      cleanEnv({ REDIS_URL: 'redis://fp:redis-secret@127.0.0.1:6390/2' }),
    );
    assert.equal(shown.code, 0, shown.stderr);
    const redis = (JSON.parse(shown.stdout) as { redis: Record<string, unknown> }).redis;
    assert.deepEqual(
      [redis.url, redis.host, redis.port, redis.username, redis.password, redis.db],
      [undefined, '127.0.0.1', 6391, 'fp', '***', 2],
    );
    // And the connection follows: REDIS_URL names a dead port, the flag the live server.
    const status = await runCli(
      ['status', '--json', '--redis-port', String(server.port)],
      cleanEnv({ REDIS_URL: 'redis://127.0.0.1:1' }),
    );
    assert.equal(status.code, 0, status.stderr);
  });

  it('exits 2 for a redis.url that is not redis:// or rediss://', async () => {
    const r = await runCli(['status', '--redis-url', `http://127.0.0.1:${server.port}`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /redis\.url: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('writes the full default config with config init, and it loads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framepipe-cli-'));
    const path = join(dir, 'framepipe.json');
    const r = await runCli(['config', 'init', path]);
    assert.equal(r.code, 0, r.stderr);
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(written).sort(), [
      'api',
      'bridge',
      'log',
      'metrics',
      'postgres',
      'producer',
      'recording',
      'redis',
      'sink',
      'viewer',
      'worker',
    ]);
    assert.doesNotThrow(() => parseConfig([written]));
  });

  it("produce --group makes the stream with the workers' group and waits on its backlog", async () => {
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const r = await runCli([
      ...['produce', '--redis-url', server.url, '--prefix', prefix, '--source', 'cam1'],
      ...['--group', 'g2', '--frames', '2', '--fps', '0', '--width', '64', '--height', '48'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const groups = (await server.redis.xinfo('GROUPS', keys.frames)) as unknown[][];
    assert.deepEqual(
      groups.map((g) => g[g.indexOf('name') + 1]),
      ['g2'],
    );
  });

  it('produce and work processes give each of 500 frames exactly one result; SIGTERM leaves nothing pending', async () => {
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const common = ['--redis-url', server.url, '--prefix', prefix];
    const worker = startCli(['work', ...common, '--sources', 'cam1', '--processor', 'stats']);
    const producer = await runCli([
      'produce',
      ...common,
      '--source',
      'cam1',
      '--frames',
      '500',
      '--fps',
      '1000',
      '--width',
      '320',
      '--height',
      '240',
    ]);
    assert.equal(producer.code, 0, producer.stderr);
    await waitForValue(
      '500 results',
      () => server.redis.xlen(keys.results),
      (n) => n >= 500,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.stderr());

    const results = (await server.redis.xrange(keys.results, '-', '+')) as [string, string[]][];
    const frameIds = results.map(([, f]) => f[f.indexOf('frame') + 1]);
    assert.equal(results.length, 500);
    assert.equal(new Set(frameIds).size, 500, 'one result per frame entry');
    const pending = (await server.redis.xpending(keys.frames, 'workers')) as [number];
    assert.equal(pending[0], 0, 'nothing pending after SIGTERM');
    const c = await readDurableCounters(server.redis, keys);
    assert.deepEqual([c.produced, c.processed], [500, 500]);

    const status = await runCli(['status', '--json', ...common]);
    assert.equal(status.code, 0, status.stderr);
    const [cam1] = JSON.parse(status.stdout) as [
      { source: string; results: number; counters: Record<string, number> },
    ];
    assert.equal(cam1.source, 'cam1');
    assert.equal(cam1.results, 500);
    assert.equal(cam1.counters.processed, 500);
    assert.equal(cam1.counters.dead_lettered, 0, 'the invariant counters are there at 0 too');
    assert.equal(cam1.counters.dropped_unread, 0);
  });

  it('runs the demo end to end on a private redis-server when none is configured', async () => {
    // The frame count from the environment: the demo's own default (90) is under env and flags.
    const r = await runCli(['demo', '--fps', '30'], cleanEnv({ FRAMEPIPE_PRODUCER_FRAMES: '12' }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /private redis-server on 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(r.stdout + r.stderr, /a typo\?/, 'its own source is registered first');
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<
      string,
      unknown
    >;
    assert.equal(summary.produced, 12);
    assert.equal(summary.processed, 12);
    const plates = summary.plates as { withTruth: number; correct: number };
    assert.equal(plates.withTruth, 12, 'the demo reads synthetic plates with ground truth');
    assert.ok(plates.correct >= 6, `plate reader works in the demo (${plates.correct}/12)`);
    assert.equal(summary.pending, 0);
    assert.match(String(summary.redis), /^private:/);
  });
});
