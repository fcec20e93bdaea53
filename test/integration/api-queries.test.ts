import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type pg from 'pg';
import { buildApi, type Api } from '../../src/api/build-api.js';
import { readSourceSummary } from '../../src/api/read-sources.js';
import { migrate } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { encodeFrameFields, encodeMetricFields } from '../../src/shared/stream-entries.js';
import { latestKey } from '../../src/sink/latest-cache.js';
import { toSinkRow } from '../../src/sink/sink-rows.js';
import { writeBatch } from '../../src/sink/sink-writer.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { addResults, platePayload } from '../helpers/results.js';
import { makeJpeg } from '../helpers/worker-fixtures.js';

interface ErrorBody {
  error: { code: string; message: string };
}
interface Page {
  plate: string;
  items: {
    source: string;
    plate: string;
    capturedUs: number;
    resultEntryId: string;
    frameUrl: string;
  }[];
  nextCursor: string | null;
}

const US = 1_700_000_000_000_000;

describe('query API on known data', () => {
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
    app = buildApi({
      redis: server.redis,
      pg: pool,
      prefix,
      logger: silentLogger(),
      fpsWindowS: 10,
    });
    await app.ready();
    const sighting = (source: string, s: number, plate: string) =>
      toSinkRow(source, `${s}-0`, {
        source,
        frameId: `${s}000-0`,
        seq: s,
        processor: 'plate',
        captureUs: US + s * 1_000_000,
        doneUs: US + s * 1_000_000,
        durationMs: 80,
        consumer: 'w1',
        payload: platePayload(plate),
      });
    const rows = [1, 2, 3, 4, 5].map((s) =>
      sighting(s % 2 === 1 ? 'cam1' : 'cam2', s, s === 3 ? 'abc 1234' : 'ABC1234'),
    );
    rows.push(sighting('cam1', 9, 'ZZZ999'));
    await writeBatch(pool, rows);
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('GET /plates/:plate pages through the sightings newest first, whatever the spelling', async () => {
    const seen: Page['items'] = [];
    let url = '/plates/abc-1234?limit=2';
    const pages: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await get(url);
      assert.equal(res.statusCode, 200);
      const page = res.json<Page>();
      assert.equal(page.plate, 'ABC1234');
      pages.push(page.items.length);
      seen.push(...page.items);
      if (page.nextCursor === null) {
        break;
      }
      url = `/plates/ABC1234?limit=2&cursor=${page.nextCursor}`;
    }
    assert.deepEqual(pages, [2, 2, 1]);
    assert.deepEqual(
      seen.map((s) => [s.source, s.capturedUs - US]),
      [
        ['cam1', 5_000_000],
        ['cam2', 4_000_000],
        ['cam1', 3_000_000],
        ['cam2', 2_000_000],
        ['cam1', 1_000_000],
      ],
    );
    assert.equal(seen[0]!.frameUrl, '/frames/5000-0?source=cam1');
  });

  it('GET /plates/:plate filters by source and answers an unseen plate with an empty page', async () => {
    const cam2 = (await get('/plates/ABC1234?source=cam2')).json<Page>();
    assert.deepEqual(
      cam2.items.map((s) => s.resultEntryId),
      ['4-0', '2-0'],
    );
    const none = await get('/plates/NOPE1');
    assert.equal(none.statusCode, 200);
    assert.deepEqual(none.json(), { plate: 'NOPE1', items: [], nextCursor: null });
  });

  it('readSourceSummary counts processed fps inside Redis, past one chunk of 1000 results', async () => {
    const p = `test-${randomUUID()}`;
    const keys = sourceKeys(p, 'cam8');
    const pipeline = server.redis.pipeline();
    for (let i = 0; i < 2500; i++) {
      pipeline.xadd(keys.results, '*', 'n', String(i));
    }
    await pipeline.exec();
    const summary = await readSourceSummary(server.redis, p, 'cam8', 10);
    assert.deepEqual(summary.fps, {
      produced: null,
      processed: 250,
      processedCapped: false,
      windowS: 10,
    });
  });

  it('GET /sources/:id/latest reads the stream on a miss, fills the hash, then hits it', async () => {
    const ids = await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('OLD111') },
      { processor: 'plate', payload: platePayload('NEW222') },
    ]);
    await server.redis.del(latestKey(prefix, 'cam1'));

    const miss = await get('/sources/cam1/latest');
    const hit = await get('/sources/cam1/latest');

    assert.equal(miss.statusCode, 200);
    assert.equal(miss.headers['x-cache'], 'miss');
    assert.equal(hit.headers['x-cache'], 'hit');
    const body = hit.json<{ id: string; payload: { plate: string }; capturedAt: string }>();
    assert.equal(body.id, ids[1]);
    assert.equal(body.payload.plate, 'NEW222');
    assert.equal(body.capturedAt, new Date((US + 1_000_000) / 1000).toISOString());
    assert.equal(await server.redis.hget(latestKey(prefix, 'cam1'), 'id'), ids[1]);

    // A result no sink wrote to the hash (none running): served at once, the hash moved on.
    const [newer] = await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('NEW333') },
    ]);
    const next = await get('/sources/cam1/latest');
    assert.equal(next.headers['x-cache'], 'miss');
    assert.equal(next.json<{ payload: { plate: string } }>().payload.plate, 'NEW333');
    assert.equal(await server.redis.hget(latestKey(prefix, 'cam1'), 'id'), newer);
  });

  it('GET /sources/:id/latest is 404 for an unknown source and for a source with no result', async () => {
    await server.redis.sadd(`${prefix}:sources`, 'quiet');
    for (const url of ['/sources/ghost/latest', '/sources/quiet/latest']) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json<ErrorBody>().error.code, 'FRAMEPIPE_ERR_NOT_FOUND');
    }
  });

  it('GET /frames/:entryId returns the JPEG while it is in the stream and 404 once trimmed', async () => {
    const keys = sourceKeys(prefix, 'cam1');
    const jpeg = await makeJpeg(32, 24, 7);
    const fields = encodeFrameFields({
      source: 'cam1',
      seq: 1,
      captureUs: US,
      width: 32,
      height: 24,
      format: 'jpeg',
      data: jpeg,
    });
    await server.redis.xadd(keys.frames, '5000-0', ...fields);

    const res = await get('/frames/5000-0?source=cam1');
    await server.redis.xdel(keys.frames, '5000-0');
    const gone = await get('/frames/5000-0?source=cam1');

    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/jpeg');
    assert.deepEqual(res.rawPayload, jpeg);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json<ErrorBody>().error.code, 'FRAMEPIPE_ERR_FRAME_GONE');
  });

  it('GET /sources reports each source with consumer lag, pending and frame rates', async () => {
    const p = `test-${randomUUID()}`;
    const local = buildApi({
      redis: server.redis,
      pg: pool,
      prefix: p,
      logger: silentLogger(),
      fpsWindowS: 10,
    });
    const keys = sourceKeys(p, 'cam9');
    const jpeg = await makeJpeg(16, 16);
    await server.redis.xgroup('CREATE', keys.frames, 'workers', '0', 'MKSTREAM');
    for (let seq = 0; seq < 3; seq++) {
      const f = encodeFrameFields({
        source: 'cam9',
        seq,
        captureUs: US,
        width: 16,
        height: 16,
        format: 'jpeg',
        data: jpeg,
      });
      await server.redis.xadd(keys.frames, '*', ...f);
    }
    await server.redis.xreadgroup(
      'GROUP',
      'workers',
      'w1',
      'COUNT',
      1,
      'STREAMS',
      keys.frames,
      '>',
    );
    await addResults(
      server.redis,
      p,
      'cam9',
      Array.from({ length: 20 }, () => ({ processor: 'stats', payload: {} })),
    );
    await server.redis.xadd(
      keys.metrics,
      '*',
      ...encodeMetricFields({ source: 'cam9', type: 'producer', atUs: US, payload: { fps: 12.5 } }),
    );
    await server.redis.sadd(`${p}:sources`, 'cam9');

    const res = await local.inject({ method: 'GET', url: '/sources' });
    await local.close();

    assert.equal(res.statusCode, 200);
    const [s] = res.json<{ sources: Record<string, unknown>[] }>().sources;
    assert.equal(s!.id, 'cam9');
    assert.deepEqual(s!.groups, [{ name: 'workers', lag: 2, lagCounted: false, pending: 1 }]);
    assert.deepEqual(s!.fps, { produced: 12.5, processed: 2, processedCapped: false, windowS: 10 });
    assert.deepEqual(s!.frames, {
      length: 3,
      lastId: (await server.redis.xrevrange(keys.frames, '+', '-', 'COUNT', 1))[0]![0],
    });
    assert.equal(s!.results, 20);
  });

  it('GET /openapi.json describes every route with the limits the handlers enforce', async () => {
    const doc = (await get('/openapi.json')).json<{
      openapi: string;
      paths: Record<
        string,
        { get: { parameters: { name: string; in: string; schema: { maximum?: number } }[] } }
      >;
    }>();
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/frames/{entryId}',
      '/plates/{plate}',
      '/sources',
      '/sources/{id}/latest',
    ]);
    const limit = doc.paths['/plates/{plate}']!.get.parameters.find((p) => p.name === 'limit');
    assert.equal(limit?.in, 'query');
    assert.equal(limit?.schema.maximum, 500);
  });
});
