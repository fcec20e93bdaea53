import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { describeFailure } from '../../../src/cli/exit-status.js';
import { ConfigError, RedisUnavailableError } from '../../../src/shared/errors.js';
import { StoppedWhileWaitingError } from '../../../src/shared/redis/await-ready.js';

describe('describeFailure', () => {
  it('exits 2 for usage errors (commander printed them) and 0 for help', () => {
    const unknown = new CommanderError(1, 'commander.unknownOption', "unknown option '--x'");
    assert.deepEqual(describeFailure(unknown), { exitCode: 2, text: '' });
    const help = new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)');
    assert.deepEqual(describeFailure(help), { exitCode: 0, text: '' });
  });

  it('exits 2 for bad configuration, 1 with the code for framepipe errors, no stack', () => {
    assert.deepEqual(describeFailure(new ConfigError('invalid configuration: x')), {
      exitCode: 2,
      text: 'framepipe: invalid configuration: x\n',
    });
    const down = describeFailure(new RedisUnavailableError('cannot connect to Redis at h:1'));
    assert.equal(down.exitCode, 1);
    assert.equal(
      down.text,
      'framepipe: cannot connect to Redis at h:1 [FRAMEPIPE_ERR_REDIS_UNAVAILABLE]\n',
    );
  });

  it('prints system and Redis errors without a stack, with a hint when there is one', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use :::8080'), {
      code: 'EADDRINUSE',
    });
    assert.match(
      describeFailure(inUse).text,
      /^framepipe: listen EADDRINUSE.*\n  another process listens on that port/,
    );
    assert.doesNotMatch(describeFailure(inUse).text, /\n\s+at /);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5499'), {
      code: 'ECONNREFUSED',
    });
    assert.match(describeFailure(refused).text, /postgres\.url/);
    const reply = new Error('WRONGPASS invalid username-password pair or user is disabled.');
    reply.name = 'ReplyError';
    const text = describeFailure(reply).text;
    assert.match(text, /^framepipe: WRONGPASS/);
    assert.match(text, /check redis\.username and redis\.password/);
    assert.doesNotMatch(text, /\n\s+at /);
  });

  it('names PostgreSQL for errors its server sent, with a hint by SQLSTATE, no stack', () => {
    const pg = (message: string, code: string) =>
      Object.assign(new Error(message), { name: 'error', severity: 'FATAL', code });
    const missing = describeFailure(pg('database "fp" does not exist', '3D000'));
    assert.equal(missing.exitCode, 1);
    assert.match(missing.text, /^framepipe: PostgreSQL: database "fp" does not exist\n  create/);
    assert.doesNotMatch(missing.text, /\n\s+at /);
    assert.match(describeFailure(pg('role "x" does not exist', '28000')).text, /user and password/);
    assert.match(describeFailure(pg('password authentication failed', '28P01')).text, /pg_hba/);
    assert.equal(
      describeFailure(pg('deadlock detected', '40P01')).text,
      'framepipe: PostgreSQL: deadlock detected\n',
    );
  });

  it('exits 0 for a service stopped while it waited for Redis', () => {
    assert.deepEqual(describeFailure(new StoppedWhileWaitingError('127.0.0.1:6379')), {
      exitCode: 0,
      text: 'framepipe: stopped while waiting for Redis at 127.0.0.1:6379\n',
    });
  });

  it('keeps the stack for what nobody expected (a bug)', () => {
    const bug = new TypeError("Cannot read properties of null (reading 'map')");
    const failure = describeFailure(bug);
    assert.equal(failure.exitCode, 1);
    assert.match(failure.text, /TypeError: Cannot read properties of null/);
    assert.match(failure.text, /\n\s+at /);
  });
});
