import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import type { FrameSource, SourceItem } from '../../src/producer/sources/frame-source.js';
import { createCameraSource } from '../../src/producer/sources/camera-source.js';
import { createVideoFileSource } from '../../src/producer/sources/video-file-source.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { ConfigError, SourceError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { validJpeg } from '../helpers/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';

/** Bytes no image decoder recognises; deterministic, so the test cannot flake. */
function noise(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 197 + 13) & 0x7f));
}

interface LogLine {
  level: number;
  msg: string;
  input?: string;
  reason?: string;
  err?: { message?: string };
}

describe('producer: unreadable images in a folder, and inputs that cannot start', () => {
  const clients: RedisClient[] = [];
  const server = useRedisServer({
    beforeStop: async () => {
      await Promise.all(clients.map((c) => closeRedis(c)));
    },
  });
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'framepipe-folder-input-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  const folderWith = async (name: string, files: Record<string, Buffer>): Promise<string> => {
    const dir = join(root, name);
    await mkdir(dir);
    for (const [file, bytes] of Object.entries(files)) {
      await writeFile(join(dir, file), bytes);
    }
    return dir;
  };

  const setup = (producer: Record<string, unknown>, source?: FrameSource<SourceItem>) => {
    const prefix = `test-${randomUUID()}`;
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix },
      producer: { source: 'cam1', width: 32, height: 24, fps: 1000, ...producer },
      log: { level: 'info', pretty: false },
    });
    const logs: LogLine[] = [];
    const logger = createLogger(config.log, {
      destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    });
    const redis = createRedis(config.redis, { name: 'producer' });
    clients.push(redis);
    const metrics = createMetrics(new Registry());
    const p = createProducer(config, { redis, logger, metrics, ...(source ? { source } : {}) });
    return { producer: p, prefix, keys: sourceKeys(prefix, 'cam1'), metrics, logs };
  };

  const keysOf = (prefix: string) => server.redis.keys(`${prefix}*`);

  it('skips empty, truncated and random-bytes files, counts them as refused, and produces the rest in order', async () => {
    const valid = await validJpeg(64, 48, 5);
    const dir = await folderWith('mixed', {
      'a.jpg': await validJpeg(64, 48, 1),
      'b.jpg': Buffer.alloc(0),
      'c.jpg': valid.subarray(0, Math.floor(valid.length / 2)),
      'd.jpg': noise(300),
      'e.jpg': await validJpeg(64, 48, 2),
    });
    const { producer, keys, metrics, logs } = setup({ kind: 'folder', path: dir });

    const stats = await producer.run(new AbortController().signal);
    await producer.close();

    assert.deepEqual([stats.produced, stats.refused, stats.dropped], [2, 3, 0]);
    const entries = await server.redis.xrange(keys.frames, '-', '+');
    const field = (f: string[], k: string) => f[f.indexOf(k) + 1];
    assert.deepEqual(
      entries.map(([, f]) => JSON.parse(field(f, 'meta') ?? '{}') as unknown),
      [{ file: 'a.jpg' }, { file: 'e.jpg' }],
    );
    assert.deepEqual(
      entries.map(([, f]) => field(f, 'seq')),
      ['0', '1'],
      'skipped files take no seq',
    );
    const refused = (await metrics.framesRefused.get()).values;
    assert.deepEqual(
      refused.map((v) => [v.labels.source, v.labels.reason, v.value]),
      [['cam1', 'decode_error', 3]],
    );
    const warnings = logs.filter((l) => l.msg === 'frame refused: input unreadable');
    assert.deepEqual(
      warnings.map((l) => [l.level, l.reason, l.input]),
      ['b.jpg', 'c.jpg', 'd.jpg'].map((f) => [40, 'decode_error', join(dir, f)]),
    );
    for (const w of warnings) {
      assert.ok((w.err?.message ?? '') !== '', "sharp's reason is logged");
    }
    const stopped = logs.find((l) => l.msg === 'producer stopped') as unknown as {
      refused: number;
    };
    assert.equal(stopped.refused, 3, 'the final stats show the refused files');
  });

  it(
    'ends with a source error, not a hang, when no file in the folder can be read',
    { timeout: 20_000 },
    async () => {
      const dir = await folderWith('junk', { 'x.jpg': Buffer.alloc(0), 'y.png': noise(64) });
      for (const loop of [false, true]) {
        const { producer } = setup({ kind: 'folder', path: dir, loop });
        await assert.rejects(producer.run(new AbortController().signal), (err: unknown) => {
          assert.ok(err instanceof SourceError);
          assert.equal(err.code, 'FRAMEPIPE_ERR_SOURCE');
          return true;
        });
        assert.equal(producer.stats().refused, 2);
        await producer.close();
      }
    },
  );

  describe('a failed start leaves nothing in Redis', () => {
    const assertNoGhost = async (
      s: ReturnType<typeof setup>,
      check: (err: unknown) => boolean,
    ): Promise<void> => {
      await assert.rejects(s.producer.run(new AbortController().signal), check);
      await s.producer.close();
      assert.deepEqual(await keysOf(s.prefix), [], 'no stream, lease or sources set');
      assert.equal(
        s.logs.some((l) => l.msg === 'producer started'),
        false,
      );
    };
    const configError = (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_CONFIG');
      assert.equal(err.issues[0]?.path, 'producer.path');
      return true;
    };
    const sourceError = (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_SOURCE');
      return true;
    };

    it('for a folder that does not exist, is a file, or has no image files', async () => {
      const noImages = await folderWith('no-images', { 'notes.txt': Buffer.from('text') });
      const emptyDir = await folderWith('empty', {});
      const aFile = join(noImages, 'notes.txt');
      for (const path of [join(root, 'nonexistent'), aFile, noImages, emptyDir]) {
        await assertNoGhost(setup({ kind: 'folder', path }), configError);
      }
    });

    it('for a video file that does not exist', async () => {
      await assertNoGhost(setup({ kind: 'video', path: join(root, 'missing.mp4') }), configError);
    });

    it('for a video or camera when ffmpeg is not found', async () => {
      const video = join(root, 'clip.mp4');
      await writeFile(video, Buffer.from('not really a video'));
      const env = { PATH: join(root, 'no-bin') };
      const opts = { path: video, width: 32, height: 24, quality: 80 };
      await assertNoGhost(
        setup({}, createVideoFileSource({ ...opts, loop: false, env })),
        sourceError,
      );
      await assertNoGhost(
        setup({}, createCameraSource({ ...opts, path: 'rtsp://127.0.0.1:1/cam', fps: 5, env })),
        sourceError,
      );
    });

    it(
      'framepipe produce exits 2 for a missing folder and creates no keys',
      { timeout: 60_000 },
      async () => {
        const prefix = `test-${randomUUID()}`;
        const r = await runCli(
          [
            'produce',
            '--source',
            'nofolder',
            '--kind',
            'folder',
            '--path',
            join(root, 'nonexistent'),
            '--redis-url',
            server.url,
            '--prefix',
            prefix,
            '--log-level',
            'warn',
          ],
          cleanEnv(),
        );
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /producer\.path/);
        assert.deepEqual(await keysOf(prefix), []);
        // Checked before Redis is: a dead Redis does not hold the answer back.
        const dead = await runCli(
          ['produce', '--kind', 'folder', '--path', join(root, 'nonexistent')],
          cleanEnv({ REDIS_URL: 'redis://127.0.0.1:1' }),
        );
        assert.equal(dead.code, 2, dead.stderr);
        assert.match(dead.stderr, /producer\.path/);
      },
    );
  });
});
