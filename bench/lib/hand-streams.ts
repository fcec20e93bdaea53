import type { Redis } from 'ioredis';
import type {
  FrameInput,
  ProcessOptions,
  Processor,
} from '../../src/workers/processors/processor.js';
import { fieldMap } from '../../src/shared/stream-entries.js';

/**
 * What a competent hand-written Redis Streams worker does, with none of framepipe's
 * guarantees: XREADGROUP on a connection of its own, the frames processed in-line with
 * `inFlight` at once (as the bare limit runs them), and each tick's results written with
 * their XACKs in one pipeline. No claim of a dead peer's frames, no dead letters, no
 * heartbeat, no check that a frame is still pending before its result is added: the reference
 * that framepipe's durable path is compared with (docs/performance.md).
 */

export const HAND_GROUP = 'hand';

/** The frames and results keys of a source, in the hand-written loop's own naming. */
export function handKeys(prefix: string, source: string): { frames: string; results: string } {
  return { frames: `${prefix}:${source}:frames`, results: `${prefix}:${source}:results` };
}

interface Settled {
  readonly frames: string;
  readonly results: string;
  readonly id: string;
  readonly result: string;
}

/** Pure: a flat `[k1, v1, ...]` entry as the processor's input; null without its data. */
export function handFrameInput(id: string, fields: readonly Buffer[]): FrameInput | null {
  const f = fieldMap(fields);
  const data = f.get('data');
  if (data === undefined) {
    return null;
  }
  const num = (k: string) => Number(f.get(k)?.toString() ?? '0');
  return {
    id,
    source: f.get('source')?.toString() ?? '',
    seq: num('seq'),
    captureUs: num('ts'),
    width: num('w'),
    height: num('h'),
    data,
  };
}

/** Pure: XREADGROUP's COUNT is per stream; `room` frames spread over `streams`. */
export function countPerStream(room: number, streams: number): number {
  return Math.max(1, Math.ceil(room / Math.max(1, streams)));
}

export interface HandLoopOptions {
  /** Blocking reads only (their own connection). */
  readonly reader: Redis;
  readonly writer: Redis;
  readonly sources: readonly { frames: string; results: string }[];
  readonly processor: Processor;
  readonly options: ProcessOptions;
  readonly inFlight: number;
  readonly resultsMaxLen: number;
}

export class HandStreamsLoop {
  /** Frames whose result and ack Redis has confirmed. */
  processed = 0;
  failed = 0;
  private inFlight = 0;
  private stopped = false;
  private queue: Settled[] = [];
  private flushing = false;
  private wake: (() => void) | null = null;
  private flushes: Promise<void> = Promise.resolve();

  constructor(private readonly o: HandLoopOptions) {}

  async run(): Promise<void> {
    const { sources } = this.o;
    const streams = sources.map((s) => s.frames);
    const byKey = new Map(sources.map((s) => [s.frames, s]));
    while (!this.stopped) {
      const room = this.o.inFlight - this.inFlight;
      if (room < this.o.inFlight / 2) {
        // Read again when half the slots are free: fewer, larger reads.
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const reply = (await this.o.reader.callBuffer('XREADGROUP', [
        'GROUP',
        HAND_GROUP,
        'c1',
        'COUNT',
        countPerStream(room, streams.length),
        'BLOCK',
        200,
        'STREAMS',
        ...streams,
        ...streams.map(() => '>'),
      ])) as [Buffer, [Buffer, Buffer[] | null][]][] | null;
      for (const [key, entries] of reply ?? []) {
        const source = byKey.get(key.toString())!;
        for (const [rawId, fields] of entries) {
          this.start(source, rawId.toString(), fields);
        }
      }
    }
  }

  private start(
    source: { frames: string; results: string },
    id: string,
    fields: Buffer[] | null,
  ): void {
    const input = fields === null ? null : handFrameInput(id, fields);
    if (input === null) {
      this.failed++;
      return;
    }
    this.inFlight++;
    this.o.processor.process(input, this.o.options).then(
      (result) => this.settle({ ...source, id, result: JSON.stringify(result) }),
      () => {
        this.failed++;
        this.release();
      },
    );
  }

  private settle(s: Settled): void {
    this.queue.push(s);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => {
        this.flushes = this.flushes.then(() => this.flush());
      });
    }
  }

  /** One pipeline per tick: each frame's result XADD, then one XACK per stream. */
  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.flushing = false;
    const pipeline = this.o.writer.pipeline();
    const acks = new Map<string, string[]>();
    for (const s of batch) {
      pipeline.xadd(
        s.results,
        'MAXLEN',
        '~',
        this.o.resultsMaxLen,
        '*',
        'frame',
        s.id,
        'result',
        s.result,
      );
      acks.set(s.frames, [...(acks.get(s.frames) ?? []), s.id]);
    }
    for (const [frames, ids] of acks) {
      pipeline.xack(frames, HAND_GROUP, ...ids);
    }
    // A failure is counted (the scenario then stops with it), never left as a rejected chain
    // that holds every later flush and slot.
    const replies = await pipeline.exec().catch(() => null);
    if (replies === null || replies.some(([err]) => err !== null)) {
      this.failed += batch.length;
    } else {
      this.processed += batch.length;
    }
    for (let i = 0; i < batch.length; i++) {
      this.release();
    }
  }

  private release(): void {
    this.inFlight--;
    const wake = this.wake;
    if (wake !== null && this.o.inFlight - this.inFlight >= this.o.inFlight / 2) {
      this.wake = null;
      wake();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.flushes;
  }
}
