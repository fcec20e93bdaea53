import { redisUrlFields } from './redis-url-layers.js';
import type { Config } from './schema.js';

const HIDDEN = '***';

/** Query parameters that hold secrets (ioredis and pg read `?password=`, pg `?sslpassword=`). */
const SECRET_PARAM = /pass|pwd|secret|token|key/i;

/**
 * Pure: a connection URL with the password of its user part, and the value of any query
 * parameter named like a secret, replaced (or as is).
 */
export function hideUrlPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can read: it may still hold a password, so show none of it.
    return HIDDEN;
  }
  const secretParams = [...parsed.searchParams.keys()].filter((k) => SECRET_PARAM.test(k));
  if (parsed.password === '' && secretParams.length === 0) {
    return url;
  }
  if (parsed.password !== '') {
    parsed.password = HIDDEN;
  }
  for (const k of secretParams) {
    parsed.searchParams.set(k, HIDDEN);
  }
  // searchParams writes * as %2A: show it as written.
  return parsed.toString().replaceAll('%2A%2A%2A', HIDDEN);
}

/**
 * Pure: the config as `config show` prints it: secrets hidden, and with a redis.url (a
 * standalone Redis: Cluster and Sentinel connections do not read it), none of the options
 * the URL sets (host, port, ...), which the connection does not use.
 */
export function shownConfig(c: Config): Record<string, unknown> {
  const hidden = hideSecrets(c);
  const fromUrl =
    c.redis.url === undefined || c.redis.mode !== 'standalone'
      ? undefined
      : redisUrlFields(c.redis.url);
  if (fromUrl === undefined) {
    return hidden;
  }
  const redis: Record<string, unknown> = { ...hidden.redis };
  for (const field of Object.keys(fromUrl)) {
    delete redis[field];
  }
  return { ...hidden, redis };
}

/**
 * Pure: the config with every secret replaced: the Redis password, passwords inside the Redis
 * and PostgreSQL URLs, the viewer's token.
 */
export function hideSecrets(c: Config): Config {
  return {
    ...c,
    redis: {
      ...c.redis,
      ...(c.redis.password === undefined ? {} : { password: HIDDEN }),
      ...(c.redis.url === undefined ? {} : { url: hideUrlPassword(c.redis.url) }),
    },
    postgres: { ...c.postgres, url: hideUrlPassword(c.postgres.url) },
    viewer: { ...c.viewer, ...(c.viewer.token === undefined ? {} : { token: HIDDEN }) },
  };
}

/**
 * Pure: an option's value as an error message may quote it: secrets hidden (a mistyped
 * token or password is still a secret), URLs without their password.
 */
export function shownValue(path: string, value: unknown): unknown {
  if (value === undefined) {
    return value;
  }
  if (path === 'redis.password' || path === 'viewer.token') {
    return HIDDEN;
  }
  if (path === 'redis.url' || path === 'postgres.url') {
    return typeof value === 'string' ? hideUrlPassword(value) : HIDDEN;
  }
  return value;
}
