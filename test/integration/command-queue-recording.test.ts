import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CommandQueueConsumer,
  commandProcessingKey,
  commandQueueKey,
  commandRejectedKey,
  pushCommand,
  type RejectedCommand,
} from '../../src/command-queue/command-queue.js';
import type { Command } from '../../src/command-queue/command-schema.js';
import { FrameRecorder } from '../../src/recording/frame-recorder.js';
import { applyRecordingCommand, readRecordingState } from '../../src/recording/recording-state.js';
import { ConfigError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { nowUs } from '../../src/shared/stream-entries.js';
import { validJpeg } from '../helpers/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';

describe('command queue and recording', () => {
  const server = useRedisServer();

  const consumer = (prefix: string, apply: (c: Command) => Promise<void>) =>
    new CommandQueueConsumer({
      redis: server.client(),
      blockingRedis: server.client(),
      prefix,
      consumer: 'c1',
      blockMs: 100,
      apply,
      logger: silentLogger(),
    });
  /** A running consumer that only collects the commands it is given. */
  const runCollecting = (prefix: string) => {
    const seen: Command[] = [];
    const c = consumer(prefix, (cmd) => {
      seen.push(cmd);
      return Promise.resolve();
    });
    const stop = new AbortController();
    return { seen, stop, running: c.run(stop.signal) };
  };
  const recordingApply = (prefix: string) => async (c: Command) => {
    await applyRecordingCommand(server.redis, prefix, c, nowUs());
  };

  it('a pushed command is applied in order and removed from the processing list', async () => {
    const prefix = `test-${randomUUID()}`;
    const { seen, stop, running } = runCollecting(prefix);

    await pushCommand(server.redis, prefix, { recording: true, sources: ['cam1'] });
    await pushCommand(server.redis, prefix, { recording: false });
    await waitFor('both commands applied', () => seen.length === 2, 10_000);
    stop.abort();
    await running;

    assert.deepEqual(seen, [{ recording: true, sources: ['cam1'] }, { recording: false }]);
    assert.equal(await server.redis.llen(commandQueueKey(prefix)), 0);
    assert.equal(await server.redis.llen(commandProcessingKey(prefix, 'c1')), 0);
  });

  it('when a consumer stops between BLMOVE and applying, the next start applies the command', async () => {
    const prefix = `test-${randomUUID()}`;
    let moved!: () => void;
    const gotIt = new Promise<void>((r) => (moved = r));
    const crashed = consumer(prefix, () => {
      moved();
      return new Promise<void>(() => {}); // never finishes: the process "dies" here
    });
    const stop = new AbortController();
    void crashed.run(stop.signal);
    await pushCommand(server.redis, prefix, { recording: true });
    await gotIt;
    stop.abort();
    assert.equal(
      await server.redis.llen(commandProcessingKey(prefix, 'c1')),
      1,
      'left in processing',
    );
    assert.equal((await readRecordingState(server.redis, prefix)).recording, false, 'not applied');

    const restarted = consumer(prefix, recordingApply(prefix));
    const stop2 = new AbortController();
    const running = restarted.run(stop2.signal);
    await waitFor(
      'the recovered command applied',
      async () => (await readRecordingState(server.redis, prefix)).recording,
      10_000,
    );
    stop2.abort();
    const stats = await running;

    assert.equal((await readRecordingState(server.redis, prefix)).recording, true);
    assert.equal(stats.recovered, 1);
    assert.equal(await server.redis.llen(commandProcessingKey(prefix, 'c1')), 0);
  });

  it('an invalid command is moved to the rejected list with its reason, and later ones still apply', async () => {
    const prefix = `test-${randomUUID()}`;
    const { seen, stop, running } = runCollecting(prefix);

    await server.redis.lpush(commandQueueKey(prefix), '{"recording": "yes"}');
    await server.redis.lpush(commandQueueKey(prefix), 'not json');
    await pushCommand(server.redis, prefix, { recording: false });
    await waitFor('the valid command applied', () => seen.length === 1, 10_000);
    stop.abort();
    const stats = await running;

    const rejected = (await server.redis.lrange(commandRejectedKey(prefix), 0, -1))
      .map((t) => JSON.parse(t) as RejectedCommand)
      .reverse();
    assert.deepEqual(
      rejected.map((r) => r.command),
      ['{"recording": "yes"}', 'not json'],
    );
    assert.match(rejected[0]!.reason, /^recording: /);
    assert.match(rejected[1]!.reason, /^not JSON/);
    assert.equal(stats.rejected, 2);
    assert.equal(await server.redis.llen(commandProcessingKey(prefix, 'c1')), 0);
  });

  it('pushCommand refuses a malformed command with a ConfigError before it reaches Redis', async () => {
    const prefix = `test-${randomUUID()}`;
    await assert.rejects(
      pushCommand(server.redis, prefix, { recording: true, sources: ['bad:id'] }),
      (err: unknown) => err instanceof ConfigError && err.code === 'FRAMEPIPE_ERR_CONFIG',
    );
    assert.equal(await server.redis.llen(commandQueueKey(prefix)), 0);
  });

  it('the frame recorder writes frames of the chosen sources to a folder per session while on', async () => {
    const prefix = `test-${randomUUID()}`;
    const dir = await mkdtemp(join(tmpdir(), 'framepipe-rec-'));
    const recorder = new FrameRecorder({
      redis: server.redis,
      prefix,
      dir,
      logger: silentLogger(),
    });
    await recorder.start();
    const jpeg = await validJpeg(32, 24, 1);
    try {
      assert.equal(await recorder.onFrame('cam1', 1, jpeg), false, 'off: nothing written');
      await applyRecordingCommand(
        server.redis,
        prefix,
        { recording: true, sources: ['cam1'] },
        nowUs(),
      );
      const state = await recorder.refresh();

      assert.equal(await recorder.onFrame('cam1', 2, jpeg), true);
      assert.equal(await recorder.onFrame('cam1', 3, jpeg), true);
      assert.equal(await recorder.onFrame('cam2', 2, jpeg), false, 'cam2 not chosen');
      await applyRecordingCommand(server.redis, prefix, { recording: false }, nowUs());
      await recorder.refresh();
      assert.equal(await recorder.onFrame('cam1', 4, jpeg), false);

      const folder = join(dir, 'cam1', state.session!);
      assert.deepEqual((await readdir(folder)).sort(), ['2.jpg', '3.jpg']);
      assert.deepEqual(await readFile(join(folder, '2.jpg')), jpeg);
      assert.deepEqual(await readdir(dir), ['cam1']);
    } finally {
      await recorder.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('re-applying the same start command keeps the session', async () => {
    const prefix = `test-${randomUUID()}`;
    const first = await applyRecordingCommand(server.redis, prefix, { recording: true }, 1_000_000);
    const again = await applyRecordingCommand(server.redis, prefix, { recording: true }, 9_000_000);
    assert.equal(again.session, first.session);
  });
});
