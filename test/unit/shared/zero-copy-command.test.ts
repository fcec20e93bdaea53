import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'ioredis';
import { ZeroCopyCommand } from '../../../src/shared/redis/zero-copy-command.js';

/** Collects what toWritable() writes to the socket, then appends what it returns. */
function wire(cmd: Command): { bytes: Buffer; writes: (string | Buffer)[] } {
  const writes: (string | Buffer)[] = [];
  const socket = { write: (chunk: string | Buffer) => writes.push(chunk) > 0 };
  const last = cmd.toWritable(socket);
  const all = [...writes, last].map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  return { bytes: Buffer.concat(all), writes };
}

describe('ZeroCopyCommand', () => {
  const frame = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)); // NUL, \r, \n inside
  const args = () => [
    'cam:frames',
    '17-0',
    'data',
    frame,
    'empty',
    Buffer.alloc(0),
    'n',
    42,
    'name',
    'žluťoučký kůň',
  ];

  it("puts on the wire exactly the bytes of ioredis's own encoding", () => {
    const ours = wire(new ZeroCopyCommand('xadd', args()));
    const theirs = new Command('xadd', args()).toWritable({});
    assert.ok(Buffer.isBuffer(theirs));
    assert.deepEqual(ours.bytes, theirs);
  });

  it('writes the frame Buffer itself, not a copy', () => {
    const { writes } = wire(new ZeroCopyCommand('xadd', args()));
    assert.ok(
      writes.some((w) => w === frame),
      'the same Buffer object',
    );
  });

  it('falls back to one joined Buffer when it is given no socket to write to', () => {
    const joined = new ZeroCopyCommand('xadd', args()).toWritable({});
    assert.deepEqual(joined, new Command('xadd', args()).toWritable({}));
  });

  it('encodes a command without Buffers as text', () => {
    assert.deepEqual(
      wire(new ZeroCopyCommand('xlen', ['k'])).bytes.toString(),
      '*2\r\n$4\r\nxlen\r\n$1\r\nk\r\n',
    );
  });
});
