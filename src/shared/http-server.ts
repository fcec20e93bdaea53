import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Redis reachable, pool started, not draining. */
  ready(): Promise<boolean> | boolean;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** /metrics, /healthz (alive) and /readyz on node:http. */
export async function startMetricsServer(
  registry: Registry,
  health: HealthChecks,
  options: { host: string; port: number },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      try {
        if (path === '/metrics') {
          const body = await registry.metrics();
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        } else if (path === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok\n');
        } else if (path === '/readyz') {
          const ok = await health.ready();
          res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
          res.end(ok ? 'ready\n' : 'not ready\n');
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found\n');
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`error: ${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
