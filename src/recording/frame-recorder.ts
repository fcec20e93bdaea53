import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';
import {
  isRecordingSource,
  readRecordingState,
  RECORDING_OFF,
  type RecordingState,
} from './recording-state.js';

export interface FrameRecorderOptions {
  readonly redis: RedisClient;
  readonly prefix: string;
  /** Frames go to `<dir>/<source>/<session>/<seq>.jpg`. */
  readonly dir: string;
  readonly logger: Logger;
  /** How often the `{prefix}:recording` hash is read. */
  readonly refreshMs?: number;
}

/**
 * Called by the producer for every frame it publishes. While recording is on for the frame's
 * source, the JPEG is written to the session folder. The state is polled from Redis, so
 * onFrame costs nothing when recording is off; write errors are logged, never thrown: a full
 * disk must not stop the pipeline.
 */
export class FrameRecorder {
  readonly #o: FrameRecorderOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #writes = new Set<Promise<boolean>>();
  readonly #madeDirs = new Set<string>();
  #state: RecordingState = RECORDING_OFF;
  #loop: Promise<void> | undefined;
  #written = 0;
  #failed = 0;

  constructor(options: FrameRecorderOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'frame-recorder' });
  }

  get state(): RecordingState {
    return this.#state;
  }

  stats(): { written: number; failed: number } {
    return { written: this.#written, failed: this.#failed };
  }

  /** Reads the state once, then keeps it fresh in the background. */
  async start(): Promise<void> {
    await this.refresh();
    this.#loop ??= this.#poll();
  }

  async refresh(): Promise<RecordingState> {
    const next = await readRecordingState(this.#o.redis, this.#o.prefix);
    if (next.recording !== this.#state.recording || next.session !== this.#state.session) {
      this.#log.info({ recording: next.recording, session: next.session }, 'recording state');
    }
    this.#state = next;
    return next;
  }

  /** Resolves true when the frame was written. */
  onFrame(source: string, seq: number, jpeg: Uint8Array): Promise<boolean> {
    const state = this.#state;
    if (!isRecordingSource(state, source) || state.session === null) {
      return Promise.resolve(false);
    }
    const folder = join(this.#o.dir, source, state.session);
    const write = this.#write(folder, `${seq}.jpg`, jpeg);
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
    return write;
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await Promise.all([...this.#writes]);
  }

  async #write(folder: string, name: string, jpeg: Uint8Array): Promise<boolean> {
    try {
      if (!this.#madeDirs.has(folder)) {
        await mkdir(folder, { recursive: true });
        this.#madeDirs.add(folder);
      }
      await writeFile(join(folder, name), jpeg);
      this.#written++;
      return true;
    } catch (err) {
      this.#failed++;
      this.#log.warn({ err, folder, name }, 'could not record frame');
      return false;
    }
  }

  async #poll(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      await sleep(this.#o.refreshMs ?? 500, signal);
      if (signal.aborted) {
        break;
      }
      await this.refresh().catch((err: unknown) => {
        this.#log.debug({ err }, 'could not read the recording state');
      });
    }
  }
}
