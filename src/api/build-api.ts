import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type RawServerDefault,
} from 'fastify';
import type { PgPool } from '../db/create-pg.js';
import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { ApiError, notFound, parseInput, type ApiErrorBody } from './api-error.js';
import {
  FrameParams,
  FrameQuery,
  NoQuery,
  PlateParams,
  PlateQuery,
  SourceParams,
  SourcesQuery,
} from './api-schemas.js';
import { readLatestResult } from './latest-result.js';
import { openApiDocument } from './openapi.js';
import { readPlateHistory } from './plate-history.js';
import { readFrameJpeg } from './read-frame.js';
import { listSourceIds, readSourceSummary, sourceExists } from './read-sources.js';

export interface ApiDeps {
  readonly redis: RedisClient;
  readonly pg: PgPool;
  readonly prefix: string;
  readonly logger: Logger;
  /** Seconds of results counted for a source's processed fps. */
  readonly fpsWindowS?: number;
}

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;

export type Api = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** The app without a socket (fastify's build/listen split): tests call `inject()` on it. */
export function buildApi(deps: ApiDeps): Api {
  const { redis, pg, prefix } = deps;
  const fpsWindowS = deps.fpsWindowS ?? 10;
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'api' }),
    // Per-request lines go to debug in the onResponse hook below, not to info.
    logController: new LogController({ disableRequestLogging: true }),
    // Errors of the router itself (a URL that is not valid percent-encoding...) in our shape.
    frameworkErrors: (err, _req, reply) => {
      const body = new ApiError(400, 'FRAMEPIPE_ERR_BAD_REQUEST', err.message).body();
      void (reply as FastifyReply).code(400).send(body);
    },
  });
  const document = openApiDocument(VERSION);

  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode }, 'request');
  });
  app.setNotFoundHandler(async (req, reply) => {
    const body: ApiErrorBody = {
      error: { code: 'FRAMEPIPE_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url}` },
    };
    return reply.code(404).send(body);
  });
  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send(err.body());
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors (bad content type, URL too long, ...)
      return reply
        .code(status)
        .send(new ApiError(status, 'FRAMEPIPE_ERR_BAD_REQUEST', err.message).body());
    }
    req.log.error({ err, url: req.url }, 'request failed');
    return reply
      .code(500)
      .send(new ApiError(500, 'FRAMEPIPE_ERR_INTERNAL', 'internal error').body());
  });

  app.get('/openapi.json', (_req, reply) => reply.send(document));

  app.get('/sources', async (req) => {
    const q = parseInput(SourcesQuery, req.query, 'query');
    const ids = await listSourceIds(redis, prefix);
    const window = q.fpsWindowS ?? fpsWindowS;
    return {
      sources: await Promise.all(ids.map((id) => readSourceSummary(redis, prefix, id, window))),
    };
  });

  app.get('/sources/:id/latest', async (req, reply) => {
    const { id } = parseInput(SourceParams, req.params, 'params');
    parseInput(NoQuery, req.query, 'query');
    if (!(await sourceExists(redis, prefix, id))) {
      throw notFound(`unknown source "${id}"`);
    }
    const { result, cache } = await readLatestResult(redis, prefix, id);
    if (result === undefined) {
      throw notFound(`source "${id}" has no result yet`);
    }
    void reply.header('x-cache', cache);
    return { ...result, capturedAt: new Date(result.captureUs / 1000).toISOString() };
  });

  app.get('/plates/:plate', async (req) => {
    const { plate } = parseInput(PlateParams, req.params, 'params');
    const q = parseInput(PlateQuery, req.query, 'query');
    return readPlateHistory(pg, { plate, ...q });
  });

  app.get('/frames/:entryId', async (req, reply) => {
    const { entryId } = parseInput(FrameParams, req.params, 'params');
    const { source } = parseInput(FrameQuery, req.query, 'query');
    if (!(await sourceExists(redis, prefix, source))) {
      throw notFound(`unknown source "${source}"`);
    }
    const jpeg = await readFrameJpeg(redis, prefix, source, entryId);
    if (jpeg === undefined) {
      throw notFound(
        `frame ${entryId} of "${source}" is no longer in the stream`,
        'FRAMEPIPE_ERR_FRAME_GONE',
      );
    }
    // An entry id names immutable bytes.
    return reply
      .header('content-type', 'image/jpeg')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(jpeg);
  });

  return app;
}
