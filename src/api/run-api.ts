import type { Runtime } from '../app/runtime.js';
import { createPgPool } from '../db/create-pg.js';
import { parseOptions } from '../shared/config/sink-options.js';
import { ApiOptionsSchema, type ApiOptionsInput } from '../shared/config/api-options.js';
import { buildApi } from './build-api.js';

export interface RunningApi {
  /** The bound port (useful with port 0). */
  readonly port: number;
  readonly url: string;
}

/**
 * Composition root of `framepipe api`: listens until the signal aborts, then closes the
 * server (in-flight requests finish) before the runtime closes Redis and PostgreSQL.
 */
export async function runApi(
  runtime: Runtime,
  signal: AbortSignal,
  input: ApiOptionsInput,
  onListening?: (api: RunningApi) => void,
): Promise<void> {
  const options = parseOptions(ApiOptionsSchema, input, 'api');
  const logger = runtime.logger;
  const pg = createPgPool(options.pgUrl, {
    applicationName: 'framepipe-api',
    maxConnections: options.maxConnections,
    logger,
  });
  runtime.onClose({ name: 'pg', close: () => pg.end() });
  const app = buildApi({
    redis: runtime.redis('api'),
    pg,
    prefix: runtime.config.redis.prefix,
    logger,
    fpsWindowS: options.fpsWindowS,
  });
  runtime.onClose({ name: 'api', close: () => app.close() });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info({ url }, 'api listening');
  onListening?.({ port, url });
  await new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
    } else {
      signal.addEventListener('abort', () => resolve(), { once: true });
    }
  });
  await app.close();
}
