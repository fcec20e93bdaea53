import { rm } from 'node:fs/promises';
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
