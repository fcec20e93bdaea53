/** IPC between the scale bench and its worker processes (bench/scale/worker-child.ts). */
import type { WorkerStats } from '../../src/workers/worker.js';

/** The `redis` config layer every process of one backend uses (standalone or cluster). */
export interface RedisLayer {
  readonly host?: string;
  readonly port?: number;
  readonly mode?: 'standalone' | 'cluster';
  readonly clusterNodes?: readonly { host: string; port: number }[];
}

export interface StartRun {
  readonly type: 'start';
  readonly prefix: string;
  readonly processor: string;
  readonly consumer: string;
  readonly sources: readonly string[];
  /** Frame size, for a few warm-up calls of the processor (no Redis) before `ready`. */
  readonly size: string;
  readonly distinct: number;
}

export type ToChild = StartRun | { readonly type: 'go' } | { readonly type: 'stop' };

export type FromChild =
  | { readonly type: 'idle' }
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly processed: number }
  | {
      readonly type: 'stopped';
      readonly stats: WorkerStats;
      /** CPU seconds (user + system) of this process between `go` and `stop`. */
      readonly cpuS: number;
    }
  | { readonly type: 'error'; readonly message: string };
