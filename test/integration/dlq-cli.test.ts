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
      assert.doesNotMatch(letter.reason, /Error: /);
      // The reason quotes the delivery count Redis recorded, the one in dlq_deliveries.
      assert.ok(letter.deliveries > 2, `deliveries ${letter.deliveries}`);
      assert.match(letter.reason, new RegExp(`at delivery ${letter.deliveries}, after `));
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

  it('refuses bad option values before touching Redis, with exit code 2 and the option named', async () => {
    const common = ['--redis-url', server.url, '--prefix', `test-${randomUUID()}`];
    for (const [args, flag] of [
      [['list', '--count', '0'], '--count'],
      [['list', '--count', 'abc'], '--count'],
      [['list', '--count', '100000'], '--count'],
      [['redrive', '--ids', 'garbage'], '--ids'],
      [['purge', '--ids', '1-1,x'], '--ids'],
      [['redrive', '--ids', '1-1', '--all'], '--all'],
      [['purge', '--ids', '1-1', '--all'], '--all'],
    ] as const) {
      const run = await runCli(['dlq', ...args, ...common]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`^framepipe: .*${flag === '--all' ? 'not both' : flag}`));
      assert.doesNotMatch(run.stderr, /\n\s+at |script|ERR /, 'no stack, no raw Redis error');
    }
    const help = await runCli(['dlq', 'list', '--help']);
    assert.match(help.stdout, /\(default:\s+100\)/, 'a number, not "100"');
  });

  it('says which ids are not dead letters and which source is unknown, instead of "redrove 0"', async () => {
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const common = ['--redis-url', server.url, '--prefix', prefix];
    await server.redis.sadd(`${prefix}:sources`, 'cam1');
    const id = await server.redis.xadd(
      keys.dlq,
      '*',
      'seq',
      '1',
      'dlq_code',
      'X',
      'dlq_reason',
      'r',
    );
    const other = await server.redis.xadd(
      keys.dlq,
      '*',
      'seq',
      '2',
      'dlq_code',
      'X',
      'dlq_reason',
      'r',
    );

    const partly = await runCli(['dlq', 'redrive', '--ids', `${id},1-1`, ...common]);
    assert.equal(partly.code, 1, 'not all it was asked');
    assert.match(partly.stdout, /cam1: redrove 1/);
    assert.match(partly.stderr, /not in the dead-letter stream of cam1: 1-1\n/);

    const purge = await runCli(['dlq', 'purge', '--ids', `2-2,${other}`, ...common]);
    assert.equal(purge.code, 1);
    assert.match(purge.stdout, /cam1: purged 1/);
    assert.match(purge.stderr, /not in the dead-letter stream of cam1: 2-2\n/);

    const list = await runCli(['dlq', 'list', '--ids', '3-3', ...common]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /3-3/);

    const empty = await runCli(['dlq', 'redrive', '--all', '--source', 'cam1', ...common]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /cam1: redrove 0 \(no dead letters\)/);

    for (const cmd of ['redrive', 'purge', 'list']) {
      const unknown = await runCli([
        'dlq',
        cmd,
        ...(cmd === 'list' ? [] : ['--all']),
        '--source',
        'nosuchsource',
        ...common,
      ]);
      assert.equal(unknown.code, 2, `${cmd}: ${unknown.stderr}`);
      assert.match(unknown.stderr, /no source "nosuchsource" .*known: cam1/);
    }
    assert.equal(await server.redis.xlen(keys.frames), 1, 'only the found id was redriven');
  });
});
