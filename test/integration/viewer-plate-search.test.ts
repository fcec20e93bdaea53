import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Runtime } from '../../src/app/runtime.js';
import { startViewer } from '../../src/viewer/start-viewer.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { testRuntime } from '../unit/bridge/helpers/bridge-fixtures.js';

describe('the viewer searches plate history through the query API', () => {
  let server: RedisServer;
  let api: Server;
  let apiUrl: string;
  const asked: string[] = [];
  before(async () => {
    server = await startRedisServer();
    // A stand-in for `framepipe api`: the viewer only forwards the request and the answer.
    api = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          plate: 'ABC1234',
          items: [{ source: 'cam1', plate: 'ABC1234' }],
          nextCursor: null,
        }),
      );
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  after(async () => {
    api.close();
    await server.stop();
  });

  it('forwards /api/plates/:plate with its query and the token stays required', async () => {
    const runtime: Runtime = testRuntime(server, `test-${randomUUID()}`);
    try {
      const viewer = await startViewer(runtime, { port: 0, apiUrl, token: 'token-123456' });
      const base = `http://127.0.0.1:${viewer.port}`;
      assert.equal((await fetch(`${base}/api/plates/ABC1234`)).status, 401);
      const res = await fetch(`${base}/api/plates/ABC%201234?limit=5`, {
        headers: { authorization: 'Bearer token-123456' },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { items: unknown[] };
      assert.equal(body.items.length, 1);
      assert.deepEqual(asked, ['/plates/ABC%201234?limit=5']);

      // The page's own way to authenticate: the token stays with the viewer.
      const byQuery = await fetch(`${base}/api/plates/ABC1234?limit=2&token=token-123456`);
      assert.equal(byQuery.status, 200);
      assert.equal(asked.at(-1), '/plates/ABC1234?limit=2');
      const badEncoding = await fetch(`${base}/api/plates/%E0%A4%A?token=token-123456`);
      assert.equal(badEncoding.status, 400);
    } finally {
      await runtime.close();
    }
  });

  it('says plate search needs the API when none is configured', async () => {
    const runtime: Runtime = testRuntime(server, `test-${randomUUID()}`);
    try {
      const viewer = await startViewer(runtime, { port: 0 });
      const res = await fetch(`http://127.0.0.1:${viewer.port}/api/plates/ABC1234`);
      assert.equal(res.status, 503);
      assert.match(JSON.stringify(await res.json()), /viewer\.apiUrl/);
    } finally {
      await runtime.close();
    }
  });
});
