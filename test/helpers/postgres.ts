import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth); override with FRAMEPIPE_TEST_PG_URL. */
export const ADMIN_PG_URL =
  process.env.FRAMEPIPE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A pool on the test database, ended by drop(). */
  pool(): pg.Pool;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh database with a random name for one test file; drop() removes it (FORCE). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `framepipe_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${ADMIN_PG_URL} (set FRAMEPIPE_TEST_PG_URL): ${String(err)}`,
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(ADMIN_PG_URL, name);
  const pools: pg.Pool[] = [];
  return {
    name,
    url,
    pool() {
      const p = new pg.Pool({ connectionString: url, max: 4 });
      p.on('error', () => {});
      pools.push(p);
      return p;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      const c = new pg.Client({ connectionString: ADMIN_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
