import { ConfigError } from '../errors.js';
import type { ConfigLayer } from './load-config.js';

/** The options a redis.url stands for; a higher layer naming one of them must still win. */
const URL_FIELDS = ['host', 'port', 'socketPath', 'username', 'password', 'db', 'tls'] as const;

/**
 * Pure: keeps "defaults < file < env < flags" true for the Redis address. A redis.url
 * overrides host/port/username/password/db/tls of its own layer and of lower ones, but when a
 * higher layer names one of those (`REDIS_URL=... --redis-port 6380`), the url is replaced
 * by the options it stands for, so the higher layer's option wins field by field instead of
 * being silently ignored. Layers without such a conflict are returned as they are.
 */
export function resolveRedisUrls(layers: readonly ConfigLayer[]): ConfigLayer[] {
  const out = [...layers];
  for (let i = 0; i < out.length; i++) {
    const url = redisSection(out[i])?.url;
    if (typeof url !== 'string' || !out.slice(i + 1).some(namesUrlField)) {
      continue;
    }
    const fields = redisUrlFields(url);
    if (fields === undefined) {
      continue; // not a redis URL: left for the schema to report
    }
    refuseLostOptions(url, out.slice(i + 1).find(namesUrlField));
    const { url: _url, ...rest } = redisSection(out[i])!;
    out[i] = { ...out[i], redis: { ...rest, ...fields } };
  }
  return out;
}

/** Pure: the options a redis:// or rediss:// URL stands for; undefined for anything else. */
export function redisUrlFields(url: string): ConfigLayer | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return undefined;
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    ...(parsed.hostname === '' ? {} : { host: parsed.hostname.replace(/^\[|\]$/g, '') }),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decoded(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decoded(parsed.password) }),
    ...(db === '' ? {} : { db: /^\d+$/.test(db) ? Number(db) : db }),
    ...(parsed.protocol === 'rediss:' ? { tls: true } : {}),
  };
}

/**
 * ioredis reads options from a URL's query (`?family=6`); the split URL has no place for them,
 * so rather than drop them silently this is an error saying what to do.
 */
function refuseLostOptions(url: string, higher: ConfigLayer | undefined): void {
  // Names only: a query may hold a password.
  const names = [...new URL(url).searchParams.keys()].join(', ');
  const field = URL_FIELDS.find((f) => redisSection(higher)?.[f] !== undefined);
  if (names === '' || field === undefined) {
    return;
  }
  const message = `redis.url has options ioredis reads from it (${names}) and a later layer sets redis.${field}: put ${field} in the URL too, or give every Redis option without a URL`;
  throw new ConfigError(message, [{ path: 'redis.url', value: names, message }]);
}

function redisSection(layer: ConfigLayer | undefined): ConfigLayer | undefined {
  const redis = layer?.redis;
  return typeof redis === 'object' && redis !== null && !Array.isArray(redis)
    ? (redis as ConfigLayer)
    : undefined;
}

function namesUrlField(layer: ConfigLayer): boolean {
  const redis = redisSection(layer);
  return redis !== undefined && URL_FIELDS.some((f) => redis[f] !== undefined);
}

/** A URL's %-encoded user or password; left as written when it is not valid %-encoding. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
