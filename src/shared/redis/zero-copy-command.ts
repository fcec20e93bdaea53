import { Command, type Redis } from 'ioredis';

/** What ioredis hands toWritable(): the connection's socket (net, TLS or unix). */
interface WritableSocket {
  write(chunk: string | Buffer): boolean;
}

function isWritableSocket(s: unknown): s is WritableSocket {
  return typeof (s as Partial<WritableSocket> | null)?.write === 'function';
}

/**
 * A command whose Buffer arguments go to the socket as they are. ioredis joins a command into
 * one new Buffer (a copy of every argument), and a pipeline joins those once more; for a 43 KB
 * frame those copies, their garbage and ioredis's per-command work cost the producer about
 * twice the CPU of the write itself (docs/performance.md). This writes the RESP text and each
 * Buffer untouched; with the socket corked (corked()) a batch leaves in one writev.
 *
 * Send it only with sendCommand, never in a pipeline or MULTI: there ioredis
 * keeps toWritable()'s result to write later, and the pieces written here would go first.
 * A resend after a reconnect calls toWritable() again with the new socket, which is right.
 * The Buffers must not change until the reply arrives (the socket, or a resend, reads them
 * later); no frame source writes into a Buffer it has handed out.
 */
export class ZeroCopyCommand extends Command {
  override toWritable(socket: object): string | Buffer {
    if (!isWritableSocket(socket)) {
      return super.toWritable(socket);
    }
    let text = `*${this.args.length + 1}\r\n$${Buffer.byteLength(this.name)}\r\n${this.name}\r\n`;
    for (const arg of this.args) {
      if (Buffer.isBuffer(arg) && arg.length > 0) {
        socket.write(`${text}$${arg.length}\r\n`);
        socket.write(arg);
        text = '\r\n';
      } else {
        const s = Buffer.isBuffer(arg) ? '' : String(arg);
        text += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
      }
    }
    return text; // ioredis writes this last piece itself
  }
}

/**
 * Runs `send` with the connection's socket corked (one connection, not a Cluster), so every
 * command it sends leaves in one write; returns what `send` returns. Commands queued while the
 * connection is down are written, in order, once it is back.
 */
export function corked<T>(redis: Redis, send: () => T): T {
  const socket = redis.stream as { cork?: () => void; uncork?: () => void } | undefined;
  socket?.cork?.();
  try {
    return send();
  } finally {
    socket?.uncork?.();
  }
}
