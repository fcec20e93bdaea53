import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisUnavailableError } from '../shared/errors.js';

/** A throwaway redis-server on a free loopback port in a temp folder, stopped by PID. */
export interface PrivateRedisServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** Signal the server and wait for it to exit; its folder stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stop it and remove its folder (unless it was given one). */
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  readonly binary?: string;
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
  /** Reuse a port and folder, e.g. to restart a server on its AOF files. */
  readonly port?: number;
  readonly dir?: string;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Stream nodes (listpacks) up to 2 MB instead of 4 KB: ~48 frames of 43 KB share one node, so
 * the allocator rounds one large block instead of every frame (a 43 KB node lands in
 * jemalloc's 48 KB class: 1.14 x the JPEG; shared 2 MB nodes: 1.01 x, measured in the bench).
 */
export const STREAM_NODE_MAX_BYTES = '2mb';

export async function startPrivateRedisServer(
  options: PrivateRedisOptions = {},
): Promise<PrivateRedisServer> {
  const binary = options.binary ?? 'redis-server';
  const port = options.port ?? (await freeLoopbackPort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'framepipe-redis-')));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    // framepipe's recommended setting (deploy/redis/redis.conf, docs/operations.md).
    '--stream-node-max-bytes',
    STREAM_NODE_MAX_BYTES,
    ...(options.extraArgs ?? []),
  ];
  // redis-server logs to stdout; keep the tail to explain a failed start.
  const proc: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const keepTail = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  };
  proc.stdout?.on('data', keepTail);
  proc.stderr?.on('data', keepTail);
  const failed = new Promise<never>((_, reject) => {
    proc.once('error', (err) =>
      reject(
        new RedisUnavailableError(
          `cannot start ${binary} (${err.message}); install it (apt-get install redis-server) or set REDIS_URL`,
          { cause: err },
        ),
      ),
    );
    proc.once('exit', (code) =>
      reject(new RedisUnavailableError(`${binary} exited with code ${code}: ${stderr.trim()}`)),
    );
  });
  failed.catch(() => {});
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill(signal);
      await exited;
    }
  };
  const stop = async (): Promise<void> => {
    await kill('SIGTERM');
    if (ownDir) {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    await Promise.race([failed, waitForPing('127.0.0.1', port, options.startTimeoutMs ?? 10_000)]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: '127.0.0.1', port, dir, pid: proc.pid ?? -1, kill, stop };
}

export async function waitForPing(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(host, port)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new RedisUnavailableError(
        `redis at ${host}:${port} did not answer within ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One PING with no retries: true when a Redis answers at host:port. */
export async function pingOnce(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  const c = new Redis({
    host,
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
  });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}
