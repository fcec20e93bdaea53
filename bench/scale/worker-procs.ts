import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerStats } from '../../src/workers/worker.js';
import { killHard } from '../lib/spawn-fixture.js';
import type { FromChild, RedisLayer, StartRun, ToChild } from './messages.js';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
const REPLY_TIMEOUT_MS = 60_000;

export interface StoppedWorker {
  readonly stats: WorkerStats;
  readonly cpuS: number;
}

/** Worker processes of one backend, reused run after run; every one is killed by PID on close. */
export interface WorkerProcs {
  readonly pids: readonly number[];
  /** Starts a worker in the first `count` processes; resolves when all are ready. */
  start(count: number, run: (index: number) => StartRun): Promise<void>;
  /** Lets the started workers consume. */
  go(): void;
  /** Frames settled by the started workers so far (from their progress messages). */
  processed(): number;
  stop(): Promise<StoppedWorker[]>;
  close(): Promise<void>;
}

class Child {
  readonly proc: ChildProcess;
  processed = 0;
  #waiting: { type: string; resolve: (m: FromChild) => void; reject: (e: Error) => void }[] = [];
  #exitError: Error | undefined;

  constructor(layer: RedisLayer) {
    this.proc = fork(CHILD, [JSON.stringify(layer)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.proc.on('message', (raw: unknown) => this.#onMessage(raw as FromChild));
    this.proc.once('exit', (code, signal) => {
      this.#exitError = new Error(`worker process ${this.proc.pid} exited (${code ?? signal})`);
      this.#waiting.splice(0).forEach((w) => w.reject(this.#exitError!));
    });
  }

  #onMessage(m: FromChild): void {
    if (m.type === 'progress') {
      this.processed = m.processed;
      return;
    }
    if (m.type === 'error') {
      this.#waiting.splice(0).forEach((w) => w.reject(new Error(`worker: ${m.message}`)));
      return;
    }
    const i = this.#waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) {
      this.#waiting.splice(i, 1)[0]!.resolve(m);
    }
  }

  /** Waits for the next message of `type` (registered before anything is sent). */
  expect<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> {
    if (this.#exitError !== undefined) {
      return Promise.reject(this.#exitError);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker process ${this.proc.pid}: no "${type}" in time`)),
        REPLY_TIMEOUT_MS,
      );
      this.#waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<FromChild, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  send(message: ToChild): void {
    this.proc.send(message);
  }
}

export async function spawnWorkerProcs(count: number, layer: RedisLayer): Promise<WorkerProcs> {
  const children: Child[] = [];
  const close = async () => {
    await Promise.all(children.map((c) => killHard(c.proc)));
  };
  try {
    for (let i = 0; i < count; i++) {
      const child = new Child(layer);
      children.push(child);
      await child.expect('idle');
    }
  } catch (err) {
    await close();
    throw err;
  }
  let active: Child[] = [];
  return {
    pids: children.map((c) => c.proc.pid ?? -1),
    async start(n, run) {
      active = children.slice(0, n);
      await Promise.all(
        active.map((c, i) => {
          c.processed = 0;
          const ready = c.expect('ready');
          c.send(run(i));
          return ready;
        }),
      );
    },
    go() {
      active.forEach((c) => c.send({ type: 'go' }));
    },
    processed: () => active.reduce((s, c) => s + c.processed, 0),
    async stop() {
      const stopped = await Promise.all(
        active.map((c) => {
          const reply = c.expect('stopped');
          c.send({ type: 'stop' });
          return reply;
        }),
      );
      active = [];
      return stopped.map(({ stats, cpuS }) => ({ stats, cpuS }));
    },
    close,
  };
}
