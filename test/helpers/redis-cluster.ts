import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import {
  freeLoopbackPort,
  startPrivateRedisServer,
  type PrivateRedisServer,
} from '../../src/demo/private-redis-server.js';
import { queryNode } from './redis-server.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** A Redis Cluster on loopback: `masters` masters with `replicas` replicas each, stopped by PID. */
export interface RedisCluster {
  readonly nodes: readonly { host: string; port: number }[];
  /** A cluster client that has loaded the slot map. */
  client(): Promise<Cluster>;
  /** Ports of the masters that serve slots now, from CLUSTER NODES. */
  masters(): Promise<number[]>;
  /** SIGKILL the node on `port`; its replica is promoted after cluster-node-timeout. */
  killNode(port: number): Promise<void>;
  /** Resolves when every live node reports cluster_state:ok and all slots are served. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A free port whose cluster bus port (port + 10000) is free and valid too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freeLoopbackPort();
    if (port + 10000 <= 65535 && (await isFree(port + 10000))) {
      return port;
    }
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function startRedisCluster(masters = 3, replicas = 1): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'framepipe-cluster-'));
  const servers = new Map<number, PrivateRedisServer>();
  const total = masters * (1 + replicas);
  for (let i = 0; i < total; i++) {
    const port = await clusterPort();
    const nodeDir = join(dir, String(port));
    await mkdir(nodeDir, { recursive: true });
    servers.set(
      port,
      await startPrivateRedisServer({
        port,
        dir: nodeDir,
        extraArgs: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--repl-diskless-sync-delay',
          '0',
          '--cluster-node-timeout',
          '1500',
          '--cluster-require-full-coverage',
          'no',
        ],
      }),
    );
  }
  const ports = [...servers.keys()];
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    String(replicas),
    '--cluster-yes',
  ]);
  const clients: Cluster[] = [];
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));

  const nodeInfo = (port: number, command: string[]): Promise<string> =>
    queryNode(port, async (c) => String(await c.call(command[0]!, ...command.slice(1))));
  const live = () => [...servers.keys()];
  const killed = new Set<number>();
  /** True once the first live node sees a replica for every master that still has one alive. */
  const replicasAttached = async (): Promise<boolean> => {
    const view = await nodeInfo(live()[0]!, ['CLUSTER', 'NODES']).catch(() => '');
    const replicaLines = view
      .split('\n')
      .filter((l) => / slave [0-9a-f]+ /.test(l) && !l.includes('fail'));
    return replicaLines.length >= live().length - masters;
  };
  /** True when no live node still routes slots to a killed node (the failover is done). */
  const failedOver = async (): Promise<boolean> => {
    for (const p of live()) {
      const view = await nodeInfo(p, ['CLUSTER', 'NODES']).catch(() => '');
      for (const line of view.split('\n')) {
        const f = line.trim().split(/\s+/);
        const port = Number(f[1]?.split(':')[1]?.split('@')[0]);
        if (killed.has(port) && f.length > 8 && !f[2]!.includes('fail')) {
          return false;
        }
      }
    }
    return true;
  };

  const cluster: RedisCluster = {
    nodes,
    async client() {
      const c = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
      c.on('error', () => {});
      clients.push(c);
      if (c.status !== 'ready') {
        await new Promise((resolve) => c.once('ready', resolve));
      }
      return c;
    },
    async masters() {
      const text = await nodeInfo(live()[0]!, ['CLUSTER', 'NODES']);
      return text
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter(
          (f) => f.length > 2 && f[2]!.split(',').includes('master') && !f[2]!.includes('fail'),
        )
        .map((f) => Number(f[1]!.split(':')[1]!.split('@')[0]));
    },
    async killNode(port) {
      await servers.get(port)?.kill('SIGKILL');
      servers.delete(port);
      killed.add(port);
    },
    async waitHealthy(timeoutMs = 30_000) {
      await waitFor(
        'a healthy cluster (every slot served, failovers done, replicas attached)',
        async () => {
          const states = await Promise.all(
            live().map((p) => nodeInfo(p, ['CLUSTER', 'INFO']).catch(() => '')),
          );
          const allOk = states.every(
            (s) => s.includes('cluster_state:ok') && s.includes('cluster_slots_ok:16384'),
          );
          return allOk && (await failedOver()) && (await replicasAttached());
        },
        { timeoutMs, intervalMs: 200 },
      );
    },
    async stop() {
      for (const c of clients) {
        c.disconnect();
      }
      await Promise.all([...servers.values()].map((s) => s.kill('SIGKILL')));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.waitHealthy();
  return cluster;
}
