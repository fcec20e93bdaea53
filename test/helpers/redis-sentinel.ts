import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  freeLoopbackPort,
  startPrivateRedisServer,
  waitForPing,
  type PrivateRedisServer,
} from '../../src/demo/private-redis-server.js';
import { queryNode } from './redis-server.js';
import { waitFor } from './wait-for.js';

export const MASTER_NAME = 'mymaster';

/** 1 master, 1 replica and 3 sentinels on loopback, all stopped by PID. */
export interface RedisSentinelSet {
  readonly sentinels: readonly { host: string; port: number }[];
  masterPort(): Promise<number>;
  /** SIGKILL the current master; the sentinels promote the replica. */
  killMaster(): Promise<number>;
  /** Resolves when the sentinels report a master other than `oldPort` that answers PING. */
  waitForNewMaster(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedisSentinels(): Promise<RedisSentinelSet> {
  const dir = await mkdtemp(join(tmpdir(), 'framepipe-sentinel-'));
  const nodes = new Map<number, PrivateRedisServer>();
  const master = await startPrivateRedisServer({ extraArgs: ['--repl-diskless-sync-delay', '0'] });
  nodes.set(master.port, master);
  const replica = await startPrivateRedisServer({
    extraArgs: ['--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-sync-delay', '0'],
  });
  nodes.set(replica.port, replica);
  await waitFor(
    'the replica to sync with the master',
    async () => (await info(replica.port, 'replication')).includes('master_link_status:up'),
    { timeoutMs: 15_000, intervalMs: 200 },
  );

  const sentinelProcs: ChildProcess[] = [];
  const sentinels: { host: string; port: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeLoopbackPort();
    const conf = join(dir, `sentinel-${port}.conf`);
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    const proc = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    sentinelProcs.push(proc);
    sentinels.push({ host: '127.0.0.1', port });
    await waitForPing('127.0.0.1', port, 10_000);
  }

  const masterPort = async (): Promise<number> => {
    const s = new Redis({ port: sentinels[0]!.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    s.on('error', () => {});
    try {
      await s.connect();
      const [, port] = (await s.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [
        string,
        string,
      ];
      return Number(port);
    } finally {
      s.disconnect();
    }
  };
  return {
    sentinels,
    masterPort,
    async killMaster() {
      const port = await masterPort();
      await nodes.get(port)?.kill('SIGKILL');
      return port;
    },
    async waitForNewMaster(oldPort, timeoutMs = 30_000) {
      let port = oldPort;
      await waitFor(
        `the sentinels to report a master other than ${oldPort}`,
        async () => {
          port = await masterPort().catch(() => oldPort);
          return port !== oldPort && (await info(port, 'replication')).includes('role:master');
        },
        { timeoutMs, intervalMs: 200 },
      );
      return port;
    },
    async stop() {
      for (const p of sentinelProcs) {
        p.kill('SIGKILL');
      }
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** INFO `section` of the node on `port`, or '' when it does not answer. */
function info(port: number, section: string): Promise<string> {
  return queryNode(port, (c) => c.info(section)).catch(() => '');
}
