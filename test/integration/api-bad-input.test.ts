import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type pg from 'pg';
import { buildApi, type Api } from '../../src/api/build-api.js';
import { encodeCursor } from '../../src/api/plate-history.js';
import { runApi } from '../../src/api/run-api.js';
import { createRuntime } from '../../src/app/runtime.js';
import { migrate } from '../../src/db/migrate.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sourcesKey } from '../../src/shared/redis/keys.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { useRedisServer } from '../helpers/redis-server.js';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('query API: bad inputs get a 4xx with a JSON error', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let app: Api;
  const prefix = `test-${randomUUID()}`;
  const server = useRedisServer({
    beforeStop: async () => {
      await app?.close();
      await db?.drop();
    },
  });
  before(async () => {
    db = await createTestDatabase();
    pool = db.pool();
    await migrate(pool);
    app = buildApi({ redis: server.redis, pg: pool, prefix, logger: silentLogger() });
    await server.redis.sadd(sourcesKey(prefix), 'cam1');
  });

  const cases: [url: string, status: number, code: string, mentions: string][] = [
    ['/plates/%20-%20', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'params.plate'],
    [`/plates/${'A'.repeat(33)}`, 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'params.plate'],
    ['/plates/ABC123?limit=0', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.limit'],
    ['/plates/ABC123?limit=501', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.limit'],
    ['/plates/ABC123?limit=ten', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.limit'],
    ['/plates/ABC123?cursor=not*a*cursor', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.cursor'],
    [
      `/plates/ABC123?cursor=${Buffer.from('x:y').toString('base64url')}`,
      400,
      'FRAMEPIPE_ERR_BAD_REQUEST',
      'query.cursor',
    ],
    ['/plates/ABC123?source=bad%7Bid%7D', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.source'],
    ['/plates/ABC123?colour=red', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query'],
    ['/sources/bad%7Bid%7D/latest', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'params.id'],
    ['/sources?fpsWindowS=0', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.fpsWindowS'],
    ['/frames/latest?source=cam1', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'params.entryId'],
    ['/frames/1-0', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query.source'],
    ['/frames/1-0?source=cam1', 404, 'FRAMEPIPE_ERR_FRAME_GONE', '1-0'],
    ['/frames/1-0?source=ghost', 404, 'FRAMEPIPE_ERR_NOT_FOUND', 'unknown source "ghost"'],
    [
      '/frames/99999999999999999999-0?source=cam1',
      400,
      'FRAMEPIPE_ERR_BAD_REQUEST',
      'params.entryId',
    ],
    ['/sources/cam1/latest?bogus=1', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', 'query'],
    ['/sources/%ZZ/latest', 400, 'FRAMEPIPE_ERR_BAD_REQUEST', ''],
    [
      `/plates/ABC123?cursor=${Buffer.from('9999999999999999999:1').toString('base64url')}`,
      400,
      'FRAMEPIPE_ERR_BAD_REQUEST',
      'query.cursor',
    ],
    [
      `/plates/ABC123?cursor=${Buffer.from('1:9999999999999999999').toString('base64url')}`,
      400,
      'FRAMEPIPE_ERR_BAD_REQUEST',
      'query.cursor',
    ],
    ['/no/such/route', 404, 'FRAMEPIPE_ERR_NOT_FOUND', '/no/such/route'],
  ];
  for (const [url, status, code, mentions] of cases) {
    it(`GET ${url} answers ${status} ${code}`, async () => {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, status);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const body = res.json<ErrorBody>();
      assert.equal(body.error.code, code);
      assert.ok(body.error.message.includes(mentions), body.error.message);
    });
  }

  it('a well-formed cursor that matches nothing gives an empty last page, not an error', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/plates/ABC123?cursor=${encodeCursor({ us: '1', id: '1' })}`,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { plate: 'ABC123', items: [], nextCursor: null });
  });

  it('a PostgreSQL failure is a 500 with a generic message, not the driver error', async () => {
    const broken = db.pool();
    await broken.end();
    const local = buildApi({
      redis: server.redis,
      pg: broken,
      prefix: 'x',
      logger: silentLogger(),
    });
    const res = await local.inject({ method: 'GET', url: '/plates/ABC123' });
    await local.close();
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), {
      error: { code: 'FRAMEPIPE_ERR_INTERNAL', message: 'internal error' },
    });
  });

  it('runApi listens on loopback by default and stops when the signal aborts', async () => {
    const runtime = createRuntime(
      ConfigSchema.parse({ redis: { port: server.port }, log: { level: 'silent' } }),
      { logger: silentLogger() },
    );
    const controller = new AbortController();
    let url = '';
    let running: Promise<void> | undefined;
    await new Promise<void>((resolve) => {
      running = runApi(runtime, controller.signal, { pgUrl: db.url, port: 0 }, (api) => {
        url = api.url;
        resolve();
      });
    });
    const res = await fetch(`${url}/sources`);
    controller.abort();
    await running;
    await runtime.close();
    await assert.rejects(fetch(`${url}/sources`));
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sources: [] });
  });
});
