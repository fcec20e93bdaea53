import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { readDurableCounters } from '../../src/shared/redis/durable-counters.js';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';

describe('framepipe dlq', () => {
  const server = useRedisServer();

  it('lists dead letters with their reason, redrives them once the cause is fixed, and purges', async () => {
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const marker = join(await mkdtemp(join(tmpdir(), 'framepipe-dlq-')), 'broken');
    await writeFile(marker, '');
    const env = cleanEnv({ FRAMEPIPE_TEST_MARKER: marker });
    const common = ['--redis-url', server.url, '--prefix', prefix];
    const produced = await runCli([
      ...['produce', ...common],
      '--frames',
      '6',
      '--fps',
      '1000',
      '--width',
      '64',
      '--height',
      '48',
    ]);
    assert.equal(produced.code, 0, produced.stderr);

    const workerArgs = [
      'work',
      ...common,
      '--processor',
      'test/fixtures/fail-while-marker.mjs',
      '--max-deliveries',
      '2',
      '--claim-idle-ms',
      '100',
    ];
    const worker = startCli(workerArgs, env);
    await waitForValue(
      'six dead letters',
      () => server.redis.xlen(keys.dlq),
      (n) => n === 6,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.stderr());

    const list = await runCli(['dlq', 'list', '--json', ...common]);
    assert.equal(list.code, 0, list.stderr);
    const [{ letters }] = JSON.parse(list.stdout) as [
      {
        letters: {
          code: string;
          reason: string;
          deliveries: number;
          frameId: string;
          dataBytes: number;
        }[];
      },
    ];
    assert.equal(letters.length, 6);
    for (const letter of letters) {
      assert.equal(letter.code, 'FRAMEPIPE_ERR_MAX_DELIVERIES');
      assert.match(letter.reason, /marker file present/);
      assert.match(letter.frameId, /^\d+-\d+$/);
      assert.ok(letter.dataBytes > 0, 'the JPEG is kept for redrive');
    }

    const refused = await runCli(['dlq', 'purge', ...common]);
    assert.equal(refused.code, 2, 'purge without --ids or --all is refused');

    await rm(marker);
    const redrive = await runCli([
      'dlq',
      'redrive',
      '--ids',
      letters
        .slice(0, 4)
        .map((l) => (l as unknown as { id: string }).id)
        .join(','),
      ...common,
    ]);
    assert.equal(redrive.code, 0, redrive.stderr);
    assert.match(redrive.stdout, /redrove 4/);
    const again = startCli(workerArgs, env);
    await waitForValue(
      'four results after redrive',
      () => server.redis.xlen(keys.results),
      (n) => n === 4,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0, again.stderr());

    const purge = await runCli(['dlq', 'purge', '--all', ...common]);
    assert.match(purge.stdout, /purged 2/);
    const counters = await readDurableCounters(server.redis, keys);
    assert.equal(counters.produced, 6, 'redriven entries are not produced twice');
    assert.equal(counters.processed, 4);
    assert.equal(counters.dead_lettered, 2, 'redriven letters are no longer counted as dead');
    assert.equal(counters.produced, counters.processed + counters.dead_lettered);
  });
});
