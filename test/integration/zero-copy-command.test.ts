import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { corked, ZeroCopyCommand } from '../../src/shared/redis/zero-copy-command.js';
import { useRedisServer } from '../helpers/redis-server.js';

/** Bytes that would break a text protocol: NULs, CR LF, every byte value. */
function binaryFrame(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    b[i] = (i * 7 + seed) % 256;
  }
  return b;
}

const xadd = (key: string, id: string, frame: Buffer) =>
  new ZeroCopyCommand('xadd', [key, id, 'seq', id, 'data', frame], { replyEncoding: 'utf8' });

/** Sends the commands in one corked write; their replies' promises, in order. */
const sendCorked = (redis: Redis, commands: readonly ZeroCopyCommand[]): Promise<unknown>[] =>
  corked(redis, () => commands.map((c) => redis.sendCommand(c) as Promise<unknown>));

async function storedFrames(redis: Redis, key: string): Promise<Buffer[]> {
  const entries = await redis.xrangeBuffer(key, '-', '+');
  return entries.map(([, fields]) => fields[3]!);
}

describe('ZeroCopyCommand on a real connection', () => {
  const server = useRedisServer();

  it('stores every frame of a corked batch byte for byte, replies in order', async () => {
    const sizes = [1, 0, 43_277, 2, 1_048_576, 300];
    const frames = sizes.map((s, i) => binaryFrame(s, i));
    const replies = await Promise.all(
      sendCorked(
        server.redis,
        frames.map((f, i) => xadd('zc:batch', `${i + 1}-0`, f)),
      ),
    );
    assert.deepEqual(
      replies,
      sizes.map((_, i) => `${i + 1}-0`),
    );
    assert.deepEqual(await storedFrames(server.redis, 'zc:batch'), frames);
  });

  it('gives each command its own error: a refused id does not fail the batch', async () => {
    const f = binaryFrame(1000, 3);
    const settled = await Promise.allSettled(
      sendCorked(server.redis, [
        xadd('zc:err', '5-0', f),
        xadd('zc:err', '4-0', f),
        xadd('zc:err', '6-0', f),
      ]),
    );
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /equal or smaller/);
    assert.equal(await server.redis.xlen('zc:err'), 2);
  });

  it('commands sent before the connection is up are written, whole and in order, once it is', async (t) => {
    const client = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
    t.after(() => client.disconnect());
    const frames = [binaryFrame(43_277, 9), binaryFrame(5, 1), binaryFrame(200_000, 4)];
    assert.equal(client.status, 'wait');
    const sent = sendCorked(
      client,
      frames.map((f, i) => xadd('zc:offline', `${i + 1}-0`, f)),
    );
    await Promise.all(sent);
    assert.deepEqual(await storedFrames(server.redis, 'zc:offline'), frames);
  });
});
