import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';

describe('framepipe record start|stop through the bridge', () => {
  const server = useRedisServer();

  it('records the chosen source to a session folder while recording is on', async () => {
    const prefix = `test-${randomUUID()}`;
    const dir = await mkdtemp(join(tmpdir(), 'framepipe-rec-'));
    const common = ['--redis-url', server.url, '--prefix', prefix];
    const env = cleanEnv({ FRAMEPIPE_RECORDING_DIR: dir });
    const bridge = startCli(['bridge', ...common], env);
    try {
      const start = await runCli(['record', 'start', '--sources', 'cam1', ...common], env);
      assert.equal(start.code, 0, start.stderr);
      await waitForValue(
        'recording on',
        () => server.redis.hget(`${prefix}:recording`, 'recording'),
        (v) => v === '1' || v === 'true',
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      for (const source of ['cam1', 'cam2']) {
        const produced = await runCli(
          [
            'produce',
            ...common,
            '--source',
            source,
            '--frames',
            '12',
            '--fps',
            '1000',
            '--width',
            '64',
            '--height',
            '48',
          ],
          env,
        );
        assert.equal(produced.code, 0, produced.stderr);
      }
      const sessions = await readdir(join(dir, 'cam1'));
      assert.equal(sessions.length, 1);
      const files = await readdir(join(dir, 'cam1', sessions[0]!));
      assert.equal(files.filter((f) => f.endsWith('.jpg')).length, 12);
      assert.deepEqual(await readdir(dir), ['cam1'], 'cam2 was not chosen');

      const stop = await runCli(['record', 'stop', ...common], env);
      assert.equal(stop.code, 0, stop.stderr);
      const bad = await runCli(['record', 'start', '--sources', 'a{b', ...common], env);
      assert.equal(bad.code, 2, 'an invalid source is refused before it is queued');
    } finally {
      bridge.child.kill('SIGTERM');
      assert.equal(await bridge.exited, 0, bridge.stderr());
    }
  });
});
