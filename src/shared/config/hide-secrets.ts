import { redisUrlFields } from './redis-url-layers.js';
import type { Config } from './schema.js';

const HIDDEN = '***';

/** Pure: a connection URL with the password of its user part replaced (or as is). */
export function hideUrlPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can read: it may still hold a password, so show none of it.
    return HIDDEN;
  }
  if (parsed.password === '') {
    return url;
  }
  parsed.password = HIDDEN;
  return parsed.toString();
}

/**
 * Pure: the config as `config show` prints it, with every secret replaced: the Redis
 * password, passwords inside the Redis and PostgreSQL URLs, the viewer's token.
 */
/**
 * Pure: the config as `config show` prints it: secrets hidden, and with a redis.url, none of
 * the options the URL sets (host, port, ...), which the connection does not use.
 */
export function shownConfig(c: Config): Record<string, unknown> {
  const hidden = hideSecrets(c);
  const fromUrl = c.redis.url === undefined ? undefined : redisUrlFields(c.redis.url);
  if (fromUrl === undefined) {
    return hidden;
  }
  const redis: Record<string, unknown> = { ...hidden.redis };
  for (const field of Object.keys(fromUrl)) {
    delete redis[field];
  }
  return { ...hidden, redis };
}

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
