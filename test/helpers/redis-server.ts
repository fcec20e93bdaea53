import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A private redis-server for one test file: free loopback port, own folder, stopped by PID. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  pid(): number;
  /** A plain client for assertions; closed by stop(). */
  client(): Redis;
  /** SIGTERM (or SIGKILL) the server and wait for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port and folder (keeps AOF data when enabled). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
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

export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'framepipe-redis-'));
  let proc: ChildProcess | undefined;
  const clients: Redis[] = [];

  async function start(): Promise<void> {
    proc = spawn(
      'redis-server',
      [
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
        ...extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitForPing(port, 10_000);
  }

  async function kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => proc?.pid ?? -1,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
      clients.push(c);
      return c;
    },
    kill,
    start,
    async stop() {
      for (const c of clients) {
        c.disconnect();
      }
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    c.on('error', () => {});
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') {
        c.disconnect();
        return;
      }
    } catch {
      // not up yet
    }
    c.disconnect();
    if (Date.now() > deadline) {
      throw new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
