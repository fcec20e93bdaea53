import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../app/runtime.js';
import { recordingPayload } from '../bridge/status-poller.js';
import { pushCommand } from '../command-queue/command-queue.js';
import { CommandSchema } from '../command-queue/command-schema.js';
import { readRecordingState } from '../recording/recording-state.js';
import { nowUs } from '../shared/stream-entries.js';
import { readStatus } from '../status/read-status.js';
import { SseHub, sseMessage } from './sse-hub.js';
import { ViewerOptionsSchema, type ViewerOptionsInput } from '../shared/config/viewer-options.js';
import { VIEWER_PAGE } from './viewer-page.js';
import { crossSiteWriteRefusal, hostAllowed, hostName } from './request-guard.js';

export interface Viewer {
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;

/** Bearer header, or `?token=` (EventSource and a typed-in URL cannot set headers). */
export function authorized(req: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (token === undefined) {
    return true;
  }
  const header = req.headers.authorization;
  const given =
    header?.startsWith('Bearer ') === true ? header.slice(7) : url.searchParams.get('token');
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `framepipe view`: one page with live frames, plate readings, fps, lag, pending and DLQ
 * counts, and a recording toggle; fed by server-sent events from a PSUBSCRIBE on the bridge's
 * channels. Reads nothing but pub/sub and counts, so any number of viewers cost the pipeline
 * nothing.
 */
export async function startViewer(
  runtime: Runtime,
  input: ViewerOptionsInput = {},
): Promise<Viewer> {
  const o = ViewerOptionsSchema.parse(input);
  const { prefix } = runtime.config.redis;
  const channelPrefix = o.channelPrefix ?? prefix;
  const log = runtime.logger.child({ module: 'viewer' });
  const redis = runtime.redis('viewer');
  const subscriber = runtime.redis('viewer-subscriber', { blocking: true });
  const hub = new SseHub();

  subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    hub.broadcast(sseMessage(message));
  });
  await subscriber.psubscribe(`${channelPrefix}:*`);

  const stats = setInterval(() => {
    if (hub.size === 0) {
      return;
    }
    readStatus(redis, prefix)
      .then((all) => {
        const sources = all.map((s) => ({
          source: s.source,
          frames: s.frames.length,
          lag: s.groups.reduce((n, g) => n + g.lag, 0),
          pending: s.groups.reduce((n, g) => n + g.pending, 0),
          dlq: s.dlq,
        }));
        hub.broadcast(sseMessage(JSON.stringify({ timestamp: nowUs(), sources }), 'stats'));
      })
      .catch((err: unknown) => log.debug({ err }, 'could not read stream stats'));
  }, o.statsIntervalMs);
  stats.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://viewer');
    if (url.pathname === '/healthz') {
      return send(res, 200, 'text/plain', 'ok\n');
    }
    if (!hostAllowed(req.headers.host, o.allowedHosts, o.token !== undefined)) {
      const name = hostName(req.headers.host ?? '');
      return send(
        res,
        403,
        'text/plain',
        `host ${name} not allowed: add it to viewer.allowedHosts, or set viewer.token\n`,
      );
    }
    if (!authorized(req, url, o.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, 'text/plain', 'unauthorized\n');
    }
    if (req.method === 'GET' && url.pathname === '/') {
      return send(res, 200, 'text/html; charset=utf-8', VIEWER_PAGE);
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      const state = recordingPayload(await readRecordingState(redis, prefix));
      const env = { type: 'recording_state', timestamp: nowUs(), payload: state };
      hub.add(res, [sseMessage(JSON.stringify(env))]);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/recording') {
      const refusal = crossSiteWriteRefusal(req.headers, o.allowedHosts);
      if (refusal !== undefined) {
        return send(
          res,
          refusal.status,
          'application/json',
          JSON.stringify({ error: refusal.message }),
        );
      }
      const parsed = CommandSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        return send(res, 400, 'application/json', JSON.stringify({ error: parsed.error.message }));
      }
      await pushCommand(redis, prefix, parsed.data);
      log.info({ command: parsed.data }, 'recording command queued from the viewer');
      return send(res, 202, 'application/json', JSON.stringify({ queued: parsed.data }));
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api/plates/')) {
      return proxyPlateSearch(res, o.apiUrl, url);
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.warn({ err }, 'viewer request failed');
      if (!res.headersSent) {
        send(res, 500, 'text/plain', 'error\n');
      } else {
        res.end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: o.host, port, auth: o.token !== undefined }, 'viewer listening');
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(stats);
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await subscriber.punsubscribe().catch(() => undefined);
    })());
  runtime.onClose({ name: 'viewer', close });
  return { port, close };
}

/** Same-origin proxy to the query API, so the page needs no CORS and shares the viewer's auth. */
async function proxyPlateSearch(
  res: ServerResponse,
  apiUrl: string | undefined,
  url: URL,
): Promise<void> {
  if (apiUrl === undefined) {
    const error = {
      code: 'FRAMEPIPE_ERR_NOT_FOUND',
      message: 'plate search needs viewer.apiUrl (framepipe api)',
    };
    return send(res, 503, 'application/json', JSON.stringify({ error }));
  }
  let plate: string;
  try {
    plate = decodeURIComponent(url.pathname.slice('/api/plates/'.length));
  } catch {
    const error = {
      code: 'FRAMEPIPE_ERR_BAD_REQUEST',
      message: 'the plate is not valid URL encoding',
    };
    return send(res, 400, 'application/json', JSON.stringify({ error }));
  }
  const target = new URL(
    `plates/${encodeURIComponent(plate)}`,
    apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
  );
  // The viewer's own token is for the viewer: the API would refuse it as an unknown parameter.
  const query = new URLSearchParams(url.search);
  query.delete('token');
  target.search = query.toString();
  try {
    const upstream = await fetch(target, { signal: AbortSignal.timeout(5000) });
    return send(res, upstream.status, 'application/json', await upstream.text());
  } catch (err) {
    const error = {
      code: 'FRAMEPIPE_ERR_INTERNAL',
      message: `query API unreachable: ${(err as Error).message}`,
    };
    return send(res, 502, 'application/json', JSON.stringify({ error }));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
