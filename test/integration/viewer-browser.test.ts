import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { Runtime } from '../../src/app/runtime.js';
import { recordingKey } from '../../src/recording/recording-state.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import {
  encodeDeadLetterFields,
  encodeFrameFields,
  nowUs,
} from '../../src/shared/stream-entries.js';
import { startViewer, type Viewer } from '../../src/viewer/start-viewer.js';
import {
  chromiumInstalled,
  CHROMIUM,
  startChromium,
  type HeadlessChromium,
} from '../helpers/chromium.js';
import { validJpeg } from '../helpers/frames.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';
import {
  addProducerMetrics,
  addResult,
  addSource,
  startBridge,
  testRuntime,
  type RunningBridge,
} from '../unit/bridge/helpers/bridge-fixtures.js';

/**
 * The live viewer in a real browser: Debian's headless Chromium driven by playwright-core,
 * fed by a real bridge (frames on) over a private redis-server, as a user would see it.
 */
const TOKEN = 'browser-token-1234';
const PLATE = 'FP42XYZ';
const VIEWPORT = { width: 1000, height: 640 };

interface CanvasState {
  width: number;
  height: number;
  /** Mean of the RGB channels, 0..255: a black (never drawn) canvas is 0. */
  mean: number;
  url: string;
}

const CANVAS_STATE = `(() => {
  const c = document.querySelector('.card[data-source="cam1"] canvas');
  if (!c) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
  return { width: c.width, height: c.height, mean: sum / (c.width * c.height * 3), url: c.toDataURL() };
})()`;

/** The page changes within seconds: poll it every 50 ms, for up to 10 s. */
const eventually = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> =>
  waitForValue(what, read, ok, { timeoutMs: 10_000, intervalMs: 50 });

/** Like the redis-py test: each test is skipped, and counted as skipped, with the reason. */
const skip = chromiumInstalled
  ? false
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;

describe('the live viewer in headless Chromium', () => {
  let server: RedisServer;
  let redis: Redis;
  let bridge: RunningBridge;
  let viewerRuntime: Runtime;
  let viewer: Viewer;
  let chromium: HeadlessChromium;
  let context: BrowserContext;
  let page: Page;
  let api: Server;
  let shots: string;
  let base: string;
  let prefix: string;
  const consoleErrors: string[] = [];
  const apiAsked: string[] = [];
  let seq = 0;

  const addFrame = async (seed: number): Promise<void> => {
    seq += 1;
    const fields = encodeFrameFields({
      source: 'cam1',
      seq,
      captureUs: nowUs(),
      width: 640,
      height: 480,
      format: 'jpeg',
      data: await validJpeg(640, 480, seed),
    });
    await redis.xadd(sourceKeys(prefix, 'cam1').frames, '*', ...fields);
  };
  const text = (selector: string) => async (): Promise<string> =>
    (await page.locator(selector).first().textContent()) ?? '';
  const canvas = (): Promise<CanvasState | null> => page.evaluate<CanvasState | null>(CANVAS_STATE);

  before(async () => {
    if (skip !== false) {
      return;
    }
    shots = await mkdtemp(join(tmpdir(), 'framepipe-viewer-shots-'));
    server = await startRedisServer();
    redis = server.client();
    // A stand-in for `framepipe api`: the viewer proxies plate searches to it.
    api = createServer((req, res) => {
      apiAsked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      const item = { capturedAt: '2024-05-01T12:00:00.000Z', source: 'cam1', plate: PLATE };
      res.end(JSON.stringify({ plate: PLATE, items: [{ ...item, confidence: 0.934 }] }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    bridge = await startBridge(server, { frames: true, frameFps: 20, frameWidth: 160 });
    prefix = bridge.prefix;
    viewerRuntime = testRuntime(server, prefix);
    viewer = await startViewer(viewerRuntime, {
      port: 0,
      token: TOKEN,
      statsIntervalMs: 150,
      apiUrl,
    });
    base = `http://127.0.0.1:${viewer.port}`;
    // One source whose frames wait in a consumer group nobody reads: lag grows per frame.
    await addSource(redis, prefix);
    await redis.xgroup('CREATE', sourceKeys(prefix, 'cam1').frames, 'plates', '0', 'MKSTREAM');

    chromium = await startChromium();
    context = await chromium.browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') {
        consoleErrors.push(`${m.text()} (${m.location().url})`);
      }
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  });

  after(async () => {
    await chromium?.stop();
    await viewer?.close();
    await viewerRuntime?.close();
    await bridge?.stop();
    api?.close();
    await server?.stop();
    if (shots !== undefined) {
      await rm(shots, { recursive: true, force: true });
    }
  });

  it('refuses the page without the token or with a wrong one', { skip }, async () => {
    const other = await context.newPage();
    try {
      for (const path of ['/', '/?token=not-the-token']) {
        const res = await other.goto(base + path);
        assert.equal(res?.status(), 401, path);
        assert.equal((await other.locator('body').textContent())?.trim(), 'unauthorized');
      }
    } finally {
      await other.close();
    }
  });

  it('connects to the live feed and shows the recording state', { skip }, async () => {
    const res = await page.goto(`${base}/?token=${TOKEN}`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'framepipe viewer');
    await eventually('#conn', text('#conn'), (t) => t === 'live');
    assert.equal(await text('#rec')(), 'start recording');
  });

  it(
    'draws frames from the live feed on the source canvas and replaces them with newer ones',
    { skip },
    async () => {
      await addFrame(1);
      const first = await eventually(
        'the cam1 canvas',
        canvas,
        (c) => c !== null && c.width === 160 && c.mean > 10,
      );
      assert.equal(first?.height, 120, 'downscaled by the bridge to 160 wide, 4:3');
      assert.equal(await text('.card[data-source="cam1"] h2')(), 'cam1');

      await addFrame(2);
      await eventually('a newer frame on the canvas', canvas, (c) => c?.url !== first?.url);
    },
  );

  it('shows the plate reading with its confidence, and the latency', { skip }, async () => {
    await addResult(redis, prefix, seq, {
      plate: PLATE,
      confidence: 0.93,
      bbox: [200, 300, 160, 48],
    });
    await eventually('.plate', text('.card .plate'), (t) => t === `${PLATE}  93%`);
    assert.match(await text('.card .nums')(), /latency 40 ms/);
  });

  it(
    'updates fps, lag, pending and DLQ in the panel, and logs dead letters',
    { skip },
    async () => {
      await addProducerMetrics(redis, prefix, { fps: 12.5, produced: 3, dropped: 0 });
      await eventually('fps', text('.card .nums'), (t) => t.includes('fps 12.5'));
      await eventually('lag of 2 frames', text('.card .nums'), (t) =>
        /lag 2 · pending 0 · DLQ 0/.test(t),
      );

      await redis.xadd(
        sourceKeys(prefix, 'cam1').dlq,
        '*',
        'source',
        'cam1',
        'seq',
        '9',
        ...encodeDeadLetterFields({
          code: 'FRAMEPIPE_ERR_DECODE',
          reason: 'not a JPEG',
          deliveries: 3,
          consumer: 'w1',
          atUs: nowUs(),
        }),
      );
      await addFrame(3);
      await eventually('lag 3 and DLQ 1', text('.card .nums'), (t) =>
        /lag 3 · pending 0 · DLQ 1/.test(t),
      );
      await eventually('status log', text('#log'), (t) => /dead_letter cam1 w1/.test(t));
    },
  );

  it('the recording toggle starts and stops a recording session in Redis', { skip }, async () => {
    assert.equal(await redis.hget(recordingKey(prefix), 'recording'), null);
    await page.click('#rec');
    const info = await eventually('#recinfo', text('#recinfo'), (t) => t.startsWith('session '));
    assert.equal(await text('#rec')(), 'stop recording');
    assert.equal(await page.locator('#rec.on').count(), 1);
    const state = await redis.hgetall(recordingKey(prefix));
    assert.equal(state.recording, '1');
    assert.equal(info, `session ${state.session}`);

    await page.click('#rec');
    await eventually('#rec', text('#rec'), (t) => t === 'start recording');
    assert.notEqual(await redis.hget(recordingKey(prefix), 'recording'), '1');
    assert.equal(await text('#recinfo')(), '');
    assert.equal(await page.locator('#rec.on').count(), 0);
  });

  it('plate search lists the sightings from the query API', { skip }, async () => {
    await page.fill('#plate', PLATE);
    await page.click('#search button[type="submit"]');
    await eventually('#sightings', text('#sightings'), (t) =>
      t.startsWith(`1 sighting(s) of ${PLATE}`),
    );
    const cells = await page.locator('#sightings td').allTextContents();
    assert.deepEqual(cells, ['2024-05-01T12:00:00.000Z', 'cam1', PLATE, '0.934']);
    assert.deepEqual(apiAsked, [`/plates/${PLATE}`]);
  });

  it('a screenshot of the page is a real picture', { skip }, async () => {
    const file = join(shots, 'viewer.png');
    await page.screenshot({ path: file });
    const png = await readFile(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.length > 10_000, `only ${png.length} bytes`);
    const { width, height } = await sharp(png).metadata();
    assert.deepEqual({ width, height }, VIEWPORT);
    const stats = await sharp(png).stats();
    assert.ok(
      stats.channels.slice(0, 3).every((c) => c.stdev > 10),
      'the screenshot is nearly one colour',
    );
    if (process.env.FRAMEPIPE_TEST_SCREENSHOT !== undefined) {
      await copyFile(file, process.env.FRAMEPIPE_TEST_SCREENSHOT);
    }
  });

  it('logged no console errors', { skip }, () => {
    assert.deepEqual(consoleErrors, []);
  });
});
