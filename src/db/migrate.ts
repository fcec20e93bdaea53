import type { Logger } from '../shared/logger.js';
import { ConfigError } from '../shared/errors.js';
import { createPgPool, inTransaction, type PgPool } from './create-pg.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** Any constant: serialises concurrent `framepipe db migrate` runs (and sinks starting together). */
const MIGRATE_LOCK_KEY = 0x6670_6462; // 'fpdb'

export interface MigrateResult {
  readonly applied: number[];
  readonly current: number;
}

/** Pure: migrations not yet applied, in order. */
export function pendingMigrations(
  all: readonly Migration[],
  applied: ReadonlySet<number>,
): Migration[] {
  return [...all].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
}

/**
 * Creates or upgrades the schema; safe to run any number of times and from several processes
 * at once (a session advisory lock; each migration in its own transaction).
 */
export async function migrate(
  target: string | PgPool,
  options: { logger?: Logger; migrations?: readonly Migration[] } = {},
): Promise<MigrateResult> {
  const pool =
    typeof target === 'string'
      ? createPgPool(target, { applicationName: 'framepipe-migrate', maxConnections: 2 })
      : target;
  const log = options.logger?.child({ module: 'migrate' });
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    await pool.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await pool.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of pendingMigrations(options.migrations ?? MIGRATIONS, done)) {
      await inTransaction(pool, async (client) => {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
      });
      applied.push(m.version);
      log?.info({ version: m.version, name: m.name }, 'migration applied');
    }
    return { applied, current: Math.max(0, ...done, ...applied) };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]).catch(() => undefined);
    lock.release();
    if (typeof target === 'string') {
      await pool.end();
    }
  }
}

/** Throws ConfigError when the database is behind the code: the operator runs `framepipe db migrate`. */
export async function assertSchemaCurrent(
  pool: PgPool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  const expected = Math.max(0, ...migrations.map((m) => m.version));
  let current = 0;
  try {
    const res = await pool.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    current = res.rows[0]?.v ?? 0;
  } catch (err) {
    // 42P01 undefined_table: never migrated.
    if ((err as { code?: string }).code !== '42P01') {
      throw err;
    }
  }
  if (current < expected) {
    throw new ConfigError(
      `PostgreSQL schema is at version ${current}, this framepipe needs ${expected}: run \`framepipe db migrate\``,
      [
        {
          path: 'sink.pgUrl',
          value: '(database)',
          message: `schema version ${current} < ${expected}`,
        },
      ],
    );
  }
}
