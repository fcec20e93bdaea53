import type { ServerResponse } from 'node:http';

/**
 * Server-sent event clients of the viewer. A client that cannot keep up (its socket buffer is
 * full) skips messages instead of growing our memory: live video may drop, never queue.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function sseMessage(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  return `${head}data: ${data.replace(/\n/g, '\ndata: ')}\n\n`;
}

export class SseHub {
  readonly #clients = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;

  get size(): number {
    return this.#clients.size;
  }

  add(res: ServerResponse, initial: readonly string[] = []): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    for (const message of initial) {
      res.write(message);
    }
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    this.#heartbeat ??= setInterval(() => this.broadcast(': ping\n\n'), 15_000).unref();
  }

  broadcast(message: string): void {
    for (const res of this.#clients) {
      if (res.writableLength < MAX_BUFFERED_BYTES) {
        res.write(message);
      }
    }
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) {
      res.end();
    }
    this.#clients.clear();
  }
}
