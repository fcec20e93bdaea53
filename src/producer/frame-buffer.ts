import type { EntryId } from '../shared/entry-id.js';
import { onBufferFull, type Policy } from './backpressure.js';

/** An encoded frame with its entry id, waiting to be written to Redis. */
export interface PendingFrame {
  readonly id: EntryId;
  readonly seq: number;
  readonly captureUs: number;
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
  readonly meta?: unknown;
}

/** Resolves waiters on the next notify(); abortable. */
class Notifier {
  #waiters: (() => void)[] = [];

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.push(done);
    });
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      w();
    }
  }
}

export type PushResult =
  { readonly kind: 'accepted' } | { readonly kind: 'dropped'; readonly frame: PendingFrame };

/**
 * Frames waiting for Redis, never more than maxBufferedFrames. The batches being written are
 * a prefix of the queue (`inFlight` frames, oldest batch first) and leave only once Redis
 * confirmed them, oldest first.
 */
export class FrameBuffer {
  readonly #frames: PendingFrame[] = [];
  #inFlight = 0;
  #ended = false;
  readonly #changed = new Notifier();

  constructor(
    readonly policy: Policy,
    readonly maxBufferedFrames: number,
  ) {}

  get size(): number {
    return this.#frames.length;
  }

  /** Frames not yet taken into a batch. */
  get untaken(): number {
    return this.#frames.length - this.#inFlight;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Adds a frame; with block it waits for room, with drop-oldest it drops one frame. */
  async push(frame: PendingFrame, signal: AbortSignal): Promise<PushResult> {
    for (;;) {
      const action = onBufferFull(
        this.policy,
        this.#frames.length,
        this.#inFlight,
        this.maxBufferedFrames,
      );
      if (action === 'accept') {
        this.#frames.push(frame);
        this.#changed.notify();
        return { kind: 'accepted' };
      }
      if (action === 'drop-incoming') {
        return { kind: 'dropped', frame };
      }
      if (action === 'drop-oldest') {
        const [dropped] = this.#frames.splice(this.#inFlight, 1);
        this.#frames.push(frame);
        this.#changed.notify();
        return { kind: 'dropped', frame: dropped! };
      }
      if (signal.aborted) {
        // block loses nothing at a stop: the frame waiting for room goes in, one over the
        // cap, and the stop's flush writes it with the rest.
        this.#frames.push(frame);
        this.#changed.notify();
        return { kind: 'accepted' };
      }
      await this.#changed.wait(signal);
    }
  }

  /** No more frames will be pushed. */
  end(): void {
    this.#ended = true;
    this.#changed.notify();
  }

  /** Waits until a frame is buffered, the buffer ended, or the signal aborted. */
  async waitForFrames(signal: AbortSignal): Promise<void> {
    while (this.#frames.length === this.#inFlight && !this.#ended && !signal.aborted) {
      await this.#changed.wait(signal);
    }
  }

  /** Marks up to `max` oldest untaken frames as in flight and returns them (the next batch). */
  take(max: number): PendingFrame[] {
    const batch = this.#frames.slice(this.#inFlight, this.#inFlight + Math.max(0, max));
    this.#inFlight += batch.length;
    return batch;
  }

  /** Removes the oldest in-flight batch, of `count` frames (written, or given up on). */
  settle(count: number): void {
    if (count > this.#inFlight) {
      throw new Error(`settle(${count}) with only ${this.#inFlight} frames in flight`);
    }
    this.#frames.splice(0, count);
    this.#inFlight -= count;
    this.#changed.notify();
  }

  /** Empties the buffer and returns what was in it. */
  drain(): PendingFrame[] {
    const all = this.#frames.splice(0);
    this.#inFlight = 0;
    this.#changed.notify();
    return all;
  }
}
