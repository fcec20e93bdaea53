import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/shared/logger.js';

function captured(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { stream, text: () => out };
}

/** An error shaped like ioredis's ReplyError for a failed command. */
function replyError(message: string, name: string, args: unknown[]): Error {
  return Object.assign(new Error(message), { command: { name, args } });
}

describe('logger', () => {
  it("logs a Redis error with its command's name but not its arguments (no password, no frame)", () => {
    const out = captured();
    const log = createLogger({ level: 'info', pretty: false }, { destination: out.stream });
    const auth = replyError('WRONGPASS invalid username-password pair', 'auth', ['fp', 'hunter2']);
    log.child({ module: 'redis' }).warn({ err: auth }, 'redis connection error');
    const frame = Buffer.alloc(43_000, 7);
    const xadd = replyError('OOM command not allowed', 'xadd', ['cam1:frames', '1-0', frame]);
    log.error({ err: xadd }, 'publish failed');
    log.error({ err: new Error('publish failed', { cause: xadd }) }, 'publish failed');
    type Line = { err: { type: string; message: string; command?: unknown } };
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    assert.ok(!out.text().includes('hunter2'), 'the password is not in the log');
    assert.ok(out.text().length < 5000, 'the frame is not in the log');
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[0]!.err.command, { name: 'auth' });
    assert.match(lines[0]!.err.message, /WRONGPASS/);
    assert.equal(lines[0]!.err.type, 'Error');
    assert.deepEqual(lines[1]!.err.command, { name: 'xadd' });
    // pino folds a cause into the message and stack; its command's arguments stay out.
    assert.equal(lines[2]!.err.message, 'publish failed: OOM command not allowed');
  });

  it('leaves the error it logged untouched', () => {
    const out = captured();
    const log = createLogger({ level: 'info', pretty: false }, { destination: out.stream });
    const err = replyError('NOAUTH', 'get', ['k']);
    log.warn({ err }, 'x');
    assert.deepEqual((err as Error & { command: unknown }).command, { name: 'get', args: ['k'] });
  });

  it('logs a system error (ECONNREFUSED) with its code and without its stack', () => {
    const out = captured();
    const log = createLogger({ level: 'info', pretty: false }, { destination: out.stream });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), {
      code: 'ECONNREFUSED',
      port: 6399,
    });
    log.warn({ err: refused }, 'redis connection error');
    log.warn({ err: new TypeError('a bug') }, 'unexpected');
    const internal = Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' });
    log.warn({ err: internal }, 'unexpected');
    const [sys, bug, nodeBug] = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { err: Record<string, unknown> });
    assert.equal(sys?.err.code, 'ECONNREFUSED');
    assert.equal(sys?.err.stack, undefined);
    assert.match(String(bug?.err.stack), /TypeError: a bug/);
    assert.match(String(nodeBug?.err.stack), /bad arg/, "Node's ERR_* codes are bugs: stack kept");
  });
});
