import { Redis } from 'ioredis';
import { startPrivateRedisServer } from '../../src/demo/private-redis-server.js';
import { parseConfig } from '../../src/shared/config/load-config.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { startRedisCluster } from '../../test/helpers/redis-cluster.js';
import { commandStats, type CommandStats } from '../lib/command-stats.js';
import { redisCpuSeconds } from '../lib/redis-info.js';
import type { RedisLayer } from './messages.js';

export type BackendKind = 'standalone' | 'cluster';

/** A private Redis (one server or a Cluster) on loopback, with per-node admin connections. */
export interface Backend {
  readonly kind: BackendKind;
  readonly layer: RedisLayer;
  /** redis-server PIDs (standalone) or node ports (cluster), for the report and cleanup. */
  readonly nodes: readonly string[];
  /** A framepipe client (Redis or Cluster) for status reads. */
  readonly client: RedisClient;
  /** A plain connection to the first node (INFO server for the versions). */
  readonly firstNode: Redis;
  /** used_cpu_sys + used_cpu_user summed over every node. */
  cpuSeconds(): Promise<number>;
  /** INFO commandstats summed over every node. */
  commandStats(): Promise<CommandStats>;
  /** FLUSHALL on every master. */
  flush(): Promise<void>;
  /** Which master holds each source's keys (cluster), e.g. { cam0: '127.0.0.1:7001' }. */
  shards(prefix: string, sources: readonly string[]): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

async function sumOver<T>(admins: readonly Redis[], read: (r: Redis) => Promise<T>) {
  return Promise.all(admins.map(read));
}

function mergeStats(all: readonly CommandStats[]): CommandStats {
  const out: CommandStats = new Map();
  for (const stats of all) {
    for (const [cmd, v] of stats) {
      const o = out.get(cmd) ?? { calls: 0, usec: 0 };
      out.set(cmd, { calls: o.calls + v.calls, usec: o.usec + v.usec });
    }
  }
  return out;
}

function backendOf(
  kind: BackendKind,
  layer: RedisLayer,
  admins: Redis[],
  masters: () => Promise<Redis[]>,
  stopServers: () => Promise<void>,
): Backend {
  const client = createRedis(parseConfig([{ redis: layer }]).redis, { name: 'scale-bench' });
  return {
    kind,
    layer,
    nodes: admins.map((a) => `127.0.0.1:${a.options.port}`),
    client,
    firstNode: admins[0]!,
    async cpuSeconds() {
      return (await sumOver(admins, redisCpuSeconds)).reduce((s, x) => s + x, 0);
    },
    async commandStats() {
      return mergeStats(await sumOver(admins, commandStats));
    },
    async flush() {
      await Promise.all((await masters()).map((m) => m.flushall()));
    },
    async shards(prefix, sources) {
      const slots = (client as { slots?: string[][] }).slots;
      if (kind !== 'cluster' || slots === undefined) {
        return {};
      }
      const entries = await Promise.all(
        sources.map(async (s) => {
          const slot = Number(
            await client.call('CLUSTER', 'KEYSLOT', sourceKeys(prefix, s).frames),
          );
          return [s, slots[slot]?.[0] ?? `slot ${slot}`] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
    async stop() {
      await closeRedis(client).catch(() => undefined);
      admins.forEach((a) => a.disconnect());
      await stopServers();
    },
  };
}

function admin(port: number): Redis {
  const r = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  return r;
}

export async function startBackend(kind: BackendKind, replicas = 0): Promise<Backend> {
  if (kind === 'standalone') {
    const server = await startPrivateRedisServer({
      extraArgs: ['--maxmemory-policy', 'noeviction'],
    });
    const a = admin(server.port);
    return backendOf(
      kind,
      { host: '127.0.0.1', port: server.port },
      [a],
      () => Promise.resolve([a]),
      () => server.stop(),
    );
  }
  const cluster = await startRedisCluster(3, replicas);
  try {
    const admins = cluster.nodes.map((n) => admin(n.port));
    const layer: RedisLayer = { mode: 'cluster', clusterNodes: cluster.nodes };
    const masters = async () => {
      const ports = await cluster.masters();
      return admins.filter((a) => ports.includes(a.options.port ?? 0));
    };
    const backend = backendOf(kind, layer, admins, masters, () => cluster.stop());
    await backend.client.ping(); // the Cluster client has loaded the slot map
    return backend;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
