import { Queue, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Processor } from '../../src/workers/processors/processor.js';
import { PROCESS_OPTIONS, runWithInFlight } from './bench-processor.js';
import type { FrameSet } from './frames.js';

/** A frame the way a BullMQ user passes it: JSON job data, the JPEG as base64. */
export interface FrameJobData {
  readonly source: string;
  readonly seq: number;
  /** Enqueue time, ms since the epoch. */
  readonly ts: number;
  readonly w: number;
  readonly h: number;
  readonly jpeg: string;
}

export const QUEUE_NAME = 'frames';
/** Completed jobs are removed (the cheapest BullMQ setting); failed ones kept for a look. */
export const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000 } as const;

export function connectionOptions(port: number) {
  return { host: '127.0.0.1', port, maxRetriesPerRequest: null };
}

export function frameJob(
  set: FrameSet,
  source: string,
  seq: number,
): { name: string; data: FrameJobData } {
  const jpeg = set.jpegs[seq % set.jpegs.length]!;
  return {
    name: 'frame',
    data: {
      source,
      seq,
      ts: Date.now(),
      w: set.width,
      h: set.height,
      jpeg: jpeg.toString('base64'),
    },
  };
}

export function createQueue(port: number, prefix: string): Queue<FrameJobData> {
  return new Queue<FrameJobData>(QUEUE_NAME, {
    connection: connectionOptions(port),
    prefix,
    defaultJobOptions: JOB_OPTIONS,
  });
}

/** A BullMQ Worker that runs the same processor module on the decoded job data. */
export function createFrameWorker(
  port: number,
  prefix: string,
  processor: Processor,
  options: Partial<WorkerOptions> = {},
): Worker<FrameJobData> {
  return new Worker<FrameJobData>(
    QUEUE_NAME,
    (job: Job<FrameJobData>) =>
      processor.process(
        {
          id: job.id ?? '',
          source: job.data.source,
          seq: job.data.seq,
          captureUs: job.data.ts * 1000,
          width: job.data.w,
          height: job.data.h,
          data: Buffer.from(job.data.jpeg, 'base64'),
        },
        PROCESS_OPTIONS,
      ),
    { connection: connectionOptions(port), prefix, ...options },
  );
}

/** Adds `count` jobs with addBulk in chunks of `chunk`, one call at a time. */
export async function addFrames(
  queue: Queue<FrameJobData>,
  set: FrameSet,
  count: number,
  chunk: number,
  first = 0,
  onAdded: (added: number) => void = () => undefined,
  inFlight = 1,
): Promise<void> {
  let added = 0;
  await runWithInFlight(Math.ceil(count / chunk), Math.max(1, inFlight), async (c) => {
    const from = c * chunk;
    const n = Math.min(chunk, count - from);
    await queue.addBulk(
      Array.from({ length: n }, (_, k) => frameJob(set, 'cam0', first + from + k)),
    );
    added += n;
    onAdded(added);
  });
}

/**
 * `sources` cameras at `fps` each, staggered over the frame interval. Each add is stamped with
 * its due time and not awaited before the next one is due, so a slow add cannot quietly lower
 * the offered load (coordinated omission).
 */
export async function addPaced(
  queue: Queue<FrameJobData>,
  set: FrameSet,
  sources: readonly string[],
  perSource: number,
  fps: number,
): Promise<void> {
  const intervalMs = 1000 / fps;
  const started = Date.now();
  const adds: Promise<unknown>[] = [];
  await Promise.all(
    sources.map(async (source, s) => {
      for (let n = 0; n < perSource; n++) {
        const due = started + s * (intervalMs / sources.length) + n * intervalMs;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        const job = frameJob(set, source, n + s * 7);
        adds.push(queue.add(job.name, { ...job.data, ts: due }));
      }
    }),
  );
  await Promise.all(adds);
}
