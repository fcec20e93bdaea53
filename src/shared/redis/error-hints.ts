/**
 * Pure: what to check for a Redis connection error that will not go away by retrying, or
 * undefined for the transient ones (the connection is retried either way).
 */
export function redisErrorHint(err: Error & { code?: unknown }): string | undefined {
  const m = err.message;
  if (/^(WRONGPASS|NOAUTH)/.test(m) || /invalid password/i.test(m)) {
    return 'Redis refused the credentials: check redis.username and redis.password (or the user and password of redis.url)';
  }
  if (/DB index is out of range/.test(m)) {
    return "the Redis server has fewer databases than redis.db asks for (its 'databases' setting): choose a lower redis.db";
  }
  if (/^NOPERM/.test(m)) {
    return "the Redis user lacks a permission framepipe needs: its ACL needs the prefix's keys (~prefix:*), its channels (&*) and stream, hash, list and scripting commands";
  }
  const code = typeof err.code === 'string' ? err.code : '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) || /certificate/i.test(m)) {
    return 'the TLS certificate was not accepted: set redis.tlsCaFile to the CA that signed it (or, for tests only, redis.tlsRejectUnauthorized false)';
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return 'the Redis host name does not resolve: check redis.host (or redis.url)';
  }
  return undefined;
}

/**
 * Pure: an error no reconnect can fix (credentials, missing ACL permission, a rejected TLS
 * certificate). A host name that does not resolve is not one: DNS may catch up.
 */
export function isFatalRedisError(err: Error & { code?: unknown }): boolean {
  const hint = redisErrorHint(err);
  return hint !== undefined && err.code !== 'ENOTFOUND' && err.code !== 'EAI_AGAIN';
}
