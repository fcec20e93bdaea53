import { rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import {
  freeLoopbackPort,
  startPrivateRedisServer,
  type PrivateRedisServer,
} from '../../src/demo/private-redis-server.js';

/** A private redis-server for one test file: free loopback port, own folder, stopped by PID. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  pid(): number;
  /** A plain client for assertions; closed by stop(). */
  client(): Redis;
  /** SIGTERM (or SIGKILL) the server and wait for it to exit; its folder is kept. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port and folder (keeps AOF data when enabled). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const freePort = freeLoopbackPort;

export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  let server: PrivateRedisServer = await startPrivateRedisServer({ extraArgs });
  const { port, dir } = server;
  const clients: Redis[] = [];
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => server.pid,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    kill: (signal: NodeJS.Signals = 'SIGTERM') => server.kill(signal),
    async start() {
      server = await startPrivateRedisServer({ extraArgs, port, dir });
    },
    async stop() {
      for (const c of clients) {
        c.disconnect();
      }
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `query` on a node that may be down, on a client that neither retries nor reconnects. */
export async function queryNode<T>(port: number, query: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  c.on('error', () => {});
  try {
    await c.connect();
    return await query(c);
  } finally {
    c.disconnect();
  }
}

/** The server of useRedisServer(), with the plain client it made for assertions. */
export interface UsedRedisServer extends RedisServer {
  /** A plain client made right after the server started; closed by stop(). */
  readonly redis: Redis;
}

export interface UseRedisServerOptions {
  /** redis-server arguments, as for startRedisServer(). */
  readonly extraArgs?: readonly string[];
  /** Runs in the after() hook before the server stops: kill children, close what uses it. */
  readonly beforeStop?: () => unknown;
}

/**
 * A private redis-server for the current describe(): started (with one client) in a before()
 * hook and stopped by PID in an after() hook, both registered here. Read it from hooks and tests
 * registered after this call, not while the describe() body runs.
 */
export function useRedisServer(options: UseRedisServerOptions = {}): UsedRedisServer {
  let started: { server: RedisServer; redis: Redis } | undefined;
  const current = () => {
    if (started === undefined) {
      throw new Error('useRedisServer: the server is not started yet (it starts in before())');
    }
    return started;
  };
  before(async () => {
    const server = await startRedisServer(options.extraArgs);
    started = { server, redis: server.client() };
  });
  after(async () => {
    await options.beforeStop?.();
    await started?.server.stop();
  });
  return {
    get port() {
      return current().server.port;
    },
    get url() {
      return current().server.url;
    },
    get dir() {
      return current().server.dir;
    },
    get redis() {
      return current().redis;
    },
    pid: () => current().server.pid(),
    client: () => current().server.client(),
    kill: (signal) => current().server.kill(signal),
    start: () => current().server.start(),
    stop: () => current().server.stop(),
  };
}
