import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import type { Runtime } from '../../src/app/runtime.js';
import { commandQueueKey } from '../../src/command-queue/command-queue.js';
import { startViewer, type Viewer } from '../../src/viewer/start-viewer.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';
import { testRuntime } from '../unit/bridge/helpers/bridge-fixtures.js';

const TOKEN = 'secret-token-123';

/** Opens /events and collects `data:` payloads until close(). */
function openEvents(port: number, headers: Record<string, string> = {}) {
  const data: string[] = [];
  let status = 0;
  let close = (): void => {};
  const opened = new Promise<void>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/events', headers }, (res) => {
      status = res.statusCode ?? 0;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const lines = block.split('\n').filter((l) => l.startsWith('data: '));
          if (lines.length > 0 && !block.startsWith('event:')) {
            data.push(lines.map((l) => l.slice(6)).join('\n'));
          }
        }
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  const next = async (match: (d: Record<string, unknown>) => boolean) =>
    (await waitForValue(
      'a matching event',
      () => data.map((d) => JSON.parse(d) as Record<string, unknown>).find(match),
      (found) => found !== undefined,
      { timeoutMs: 10_000, intervalMs: 25 },
    ))!;
  return { opened, next, status: () => status, close: () => close() };
}

async function fetchText(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  return { status: res.status, text: await res.text() };
}

describe('viewer HTTP API', () => {
  const opened: { runtime: Runtime; viewer: Viewer }[] = [];
  const server = useRedisServer({
    beforeStop: async () => {
      for (const o of opened) {
        await o.viewer.close();
        await o.runtime.close();
      }
    },
  });
  const start = async (token?: string) => {
    const runtime = testRuntime(server, `test-${randomUUID()}`);
    const viewer = await startViewer(runtime, { port: 0, statsIntervalMs: 100, token });
    opened.push({ runtime, viewer });
    return { prefix: runtime.config.redis.prefix, port: viewer.port };
  };

  it('serves the page, and an open event stream gets an envelope right after it is PUBLISHed', async () => {
    const { prefix, port } = await start();
    const page = await fetchText(port, '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /EventSource\("\/events"/);
    const events = openEvents(port);
    await events.opened;
    assert.equal(events.status(), 200);
    await events.next((e) => e.type === 'recording_state');

    const envelope = { type: 'core_metrics', timestamp: 1, payload: { source: 'cam1', n: 42 } };
    await server.redis.publish(`${prefix}:core_metrics`, JSON.stringify(envelope));

    assert.deepEqual(await events.next((e) => e.type === 'core_metrics'), envelope);
    events.close();
  });

  it('with a token, requests without it get 401 and requests with it are served', async () => {
    const { port } = await start(TOKEN);
    assert.equal((await fetchText(port, '/')).status, 401);
    assert.equal(
      (await fetchText(port, '/', { headers: { authorization: 'Bearer nope-nope' } })).status,
      401,
    );
    const noToken = openEvents(port);
    await noToken.opened;
    assert.equal(noToken.status(), 401);
    noToken.close();

    assert.equal((await fetchText(port, `/?token=${TOKEN}`)).status, 200);
    const withHeader = openEvents(port, { authorization: `Bearer ${TOKEN}` });
    await withHeader.opened;
    assert.equal(withHeader.status(), 200);
    withHeader.close();
    const post = await fetchText(port, '/api/recording', {
      method: 'POST',
      body: JSON.stringify({ recording: true }),
    });
    assert.equal(post.status, 401);
  });

  it('without a token, a request for a host name it was not given is refused (DNS rebinding)', async () => {
    const { port } = await start();
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path: '/', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await get('evil.example:8090'), 403);
    assert.equal(await get(`localhost:${port}`), 200);
    assert.equal(await get(`127.0.0.1:${port}`), 200);
  });

  it('the recording toggle pushes a command on the command queue, and a bad body is refused', async () => {
    const { prefix, port } = await start(TOKEN);
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

    const ok = await fetchText(port, '/api/recording', {
      method: 'POST',
      headers,
      body: JSON.stringify({ recording: true, sources: ['cam1'] }),
    });
    const bad = await fetchText(port, '/api/recording', {
      method: 'POST',
      headers,
      body: JSON.stringify({ recording: 'maybe' }),
    });

    // What another web page can send: a form or text/plain POST, or JSON from its origin.
    const plain = await fetchText(port, '/api/recording', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: JSON.stringify({ recording: false }),
    });
    const foreign = await fetchText(port, '/api/recording', {
      method: 'POST',
      headers: { ...headers, origin: 'http://evil.example' },
      body: JSON.stringify({ recording: false }),
    });

    assert.equal(ok.status, 202);
    assert.equal(bad.status, 400);
    assert.equal(plain.status, 415);
    assert.equal(foreign.status, 403);
    const queued = await server.redis.lrange(commandQueueKey(prefix), 0, -1);
    assert.deepEqual(
      queued.map((t) => JSON.parse(t) as unknown),
      [{ recording: true, sources: ['cam1'] }],
    );
  });
});
