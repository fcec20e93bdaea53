import { connect, type Socket } from 'node:net';

/**
 * A deliberately plain Redis subscriber over node:net speaking RESP2, with no Redis library:
 * it stands for "a client in another language that only knows the envelope format".
 */
export type RespValue = string | number | null | RespValue[] | Error;

/** Parses one RESP2 value at `offset`; undefined when the buffer holds only part of it. */
export function parseResp(buf: Buffer, offset = 0): { value: RespValue; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) {
    return undefined;
  }
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) {
        return { value: null, end: next };
      }
      if (buf.length < next + len + 2) {
        return undefined;
      }
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) {
        return { value: null, end: next };
      }
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, at);
        if (item === undefined) {
          return undefined;
        }
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

export interface PubSubMessage {
  readonly channel: string;
  readonly pattern: string | null;
  readonly data: string;
}

export class RespSubscriber {
  readonly #socket: Socket;
  #buf = Buffer.alloc(0);
  readonly messages: PubSubMessage[] = [];
  readonly #replies: RespValue[][] = [];
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  static async connect(port: number): Promise<RespSubscriber> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RespSubscriber(socket);
  }

  /** SUBSCRIBE or PSUBSCRIBE; resolves when Redis confirms. */
  async subscribe(kind: 'SUBSCRIBE' | 'PSUBSCRIBE', name: string): Promise<void> {
    this.#socket.write(encodeCommand([kind, name]));
    await this.#until(() =>
      this.#replies.some((r) => r[0] === kind.toLowerCase() && r[1] === name),
    );
  }

  /** Waits for the first message (from index `from`) that satisfies `match`. */
  async next(
    match: (m: PubSubMessage) => boolean,
    from = 0,
    timeoutMs = 20_000,
  ): Promise<PubSubMessage> {
    const find = () => this.messages.slice(from).find(match);
    await this.#until(() => find() !== undefined, timeoutMs);
    return find()!;
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const parsed = parseResp(this.#buf);
      if (parsed === undefined) {
        break;
      }
      this.#buf = this.#buf.subarray(parsed.end);
      const v = parsed.value;
      if (Array.isArray(v) && v[0] === 'message') {
        this.messages.push({ channel: String(v[1]), pattern: null, data: String(v[2]) });
      } else if (Array.isArray(v) && v[0] === 'pmessage') {
        this.messages.push({ pattern: String(v[1]), channel: String(v[2]), data: String(v[3]) });
      } else if (Array.isArray(v)) {
        this.#replies.push(v);
      }
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((w) => w());
  }

  async #until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) {
        throw new Error('timed out waiting for a pub/sub reply');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
