import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  meanSizedFrame,
  nulFreeCopy,
  parseRequestsPerSecond,
  redisBenchmarkArgs,
} from '../../../bench/lib/redis-benchmark-cmd.js';

describe('bench: Redis XADD ceiling with redis-benchmark', () => {
  it('sends XADD key * data with the value on stdin, connections and pipeline as planned', () => {
    const args = redisBenchmarkArgs({
      port: 7001,
      key: 'b:rb',
      requests: 500,
      clients: 4,
      pipeline: 16,
    });
    assert.deepEqual(args, [
      ...['-h', '127.0.0.1', '-p', '7001', '-n', '500', '-c', '4', '-P', '16', '-q', '-x'],
      ...['XADD', 'b:rb', '*', 'data'],
    ]);
  });

  it('replaces NULs (redis-benchmark cuts C strings there) and keeps the length', () => {
    const frame = Uint8Array.from([0xff, 0xd8, 0, 7, 0, 0, 9]);
    const copy = nulFreeCopy(frame);
    assert.deepEqual([...copy], [0xff, 0xd8, 1, 7, 1, 1, 9]);
    assert.equal(frame[2], 0, 'the frame itself is left alone');
  });

  it('picks the frame nearest the mean size', () => {
    const frames = [new Uint8Array(10), new Uint8Array(40), new Uint8Array(31)];
    assert.equal(meanSizedFrame(frames, 27).length, 31);
    assert.throws(() => meanSizedFrame([], 1), /no frames/);
  });

  it('reads the final rate, not the progress lines', () => {
    const out =
      'XADD b:rb * data: rps=20112.0 (overall: 20112.0) avg_msec=1.2 (overall: 1.2)\r' +
      'XADD b:rb * data: 25906.73 requests per second, p50=0.239 msec\n';
    assert.equal(parseRequestsPerSecond(out), 25906.73);
    assert.throws(() => parseRequestsPerSecond('Could not connect'), /printed no rate/);
  });
});
