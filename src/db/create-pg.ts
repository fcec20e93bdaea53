import pg from 'pg';
import type { Logger } from '../shared/logger.js';

export type PgPool = pg.Pool;

export interface PgPoolOptions {
  /** Shows in pg_stat_activity.application_name. */
  readonly applicationName: string;
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

/** The only `new pg.Pool(` in src. Idle-client errors (server restart) are logged, not thrown. */
export function createPgPool(url: string, options: PgPoolOptions): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  const log = options.logger?.child({ module: 'pg' });
  pool.on('error', (err) => log?.warn({ err }, 'idle PostgreSQL client failed'));
  return pool;
}

/** Runs fn inside BEGIN/COMMIT on one client; ROLLBACK and rethrow on error. */
export async function inTransaction<T>(
  pool: PgPool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    // A client whose connection failed must not go back to the pool.
    client.release(broken);
  }
}
