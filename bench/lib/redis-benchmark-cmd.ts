/**
 * Redis's own XADD ceiling for frame-sized values, measured with its C client
 * (`redis-benchmark`, Debian's redis-tools, installed with redis-server): what no Node.js
 * client can beat, so the enqueue targets can be read against it.
 */

export interface RedisBenchmarkPlan {
  readonly port: number;
  readonly key: string;
  readonly requests: number;
  /** Connections, each with `pipeline` commands in flight. */
  readonly clients: number;
  readonly pipeline: number;
}

/** argv for `redis-benchmark`: `XADD key * data <stdin>` (`-x` takes the last argument from stdin). */
export function redisBenchmarkArgs(p: RedisBenchmarkPlan): string[] {
  return [
    ...['-h', '127.0.0.1', '-p', String(p.port)],
    ...['-n', String(p.requests), '-c', String(p.clients), '-P', String(p.pipeline)],
    '-q',
    '-x',
    ...['XADD', p.key, '*', 'data'],
  ];
}

/**
 * The frame as redis-benchmark can send it: it formats its arguments as C strings, so a NUL
 * would cut the value short. NULs become 0x01; the length, which is what costs Redis, stays.
 */
export function nulFreeCopy(frame: Uint8Array): Buffer {
  const out = Buffer.from(frame);
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0) {
      out[i] = 1;
    }
  }
  return out;
}

/** The frame whose size is nearest the mean: one payload stands for the set. */
export function meanSizedFrame(frames: readonly Uint8Array[], meanBytes: number): Uint8Array {
  let best = frames[0];
  if (best === undefined) {
    throw new Error('no frames');
  }
  for (const f of frames) {
    if (Math.abs(f.length - meanBytes) < Math.abs(best.length - meanBytes)) {
      best = f;
    }
  }
  return best;
}

/**
 * Requests per second from `redis-benchmark -q` output. Progress lines end in `\r`; the
 * final one reads `XADD ...: 25906.73 requests per second, p50=0.239 msec`.
 */
export function parseRequestsPerSecond(output: string): number {
  const all = [...output.matchAll(/([\d.]+) requests per second/g)];
  const last = all.at(-1);
  if (last === undefined) {
    throw new Error(`redis-benchmark printed no rate: ${output.slice(-200).trim()}`);
  }
  return Number(last[1]);
}
