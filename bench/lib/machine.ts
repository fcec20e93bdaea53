import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { parseInfo } from './redis-info.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    const main = require.resolve(name);
    const root = main.slice(
      0,
      main.lastIndexOf(`node_modules/${name}/`) + `node_modules/${name}/`.length,
    );
    return (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memory_gb: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    /** Other work on the machine makes every absolute figure noisy: compare ratios. */
    loadavg_at_start: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export async function versions(redis: Redis) {
  const own = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  return {
    framepipe: own.version,
    commit: gitCommit(),
    node: process.version,
    redis: parseInfo(await redis.info('server')).get('redis_version') ?? 'unknown',
    bullmq: packageVersion('bullmq'),
    ioredis: packageVersion('ioredis'),
    sharp: packageVersion('sharp'),
    piscina: packageVersion('piscina'),
  };
}
