import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { callScript, hasScript } from '../../../src/shared/redis/script-command.js';

describe('script commands', () => {
  it('calls a command defineCommand() added, on the client, with its arguments', async () => {
    const redis = new Redis({ lazyConnect: true });
    assert.equal(hasScript(redis, 'fpEcho'), false);
    redis.defineCommand('fpEcho', { numberOfKeys: 1, lua: 'return ARGV[1]' });
    assert.equal(hasScript(redis, 'fpEcho'), true);
    const seen: unknown[] = [];
    // Stand in for the network: the client's own method gets the arguments as given.
    (redis as unknown as { fpEcho: (...a: unknown[]) => unknown }).fpEcho = function (
      this: unknown,
      ...a: unknown[]
    ) {
      seen.push(this === redis, ...a);
      return Promise.resolve('ok');
    };
    assert.equal(await callScript(redis, 'fpEcho', 'k', 7), 'ok');
    assert.deepEqual(seen, [true, 'k', 7]);
    redis.disconnect();
  });

  it('names a command that was never defined instead of calling undefined', () => {
    const redis = new Redis({ lazyConnect: true });
    assert.throws(() => callScript(redis, 'fpMissing'), /script command fpMissing is not defined/);
    redis.disconnect();
  });
});
