import type { WorkerStats } from '../workers/worker.js';
import { createWorker } from '../workers/worker.js';
import { startProgressLine } from './progress-line.js';
import type { Runtime } from './runtime.js';

/** Composition root of `framepipe work`. */
export async function runWork(runtime: Runtime, signal: AbortSignal): Promise<WorkerStats> {
  const worker = await createWorker(runtime.config, {
    redis: runtime.redis('worker'),
    blockingRedis: runtime.redis('worker-blocking', { blocking: true }),
    logger: runtime.logger,
    metrics: runtime.metrics,
  });
  runtime.onClose({ name: 'worker', close: () => worker.close() });
  await runtime.serveMetrics(() => worker.ready());
  const progress = startProgressLine(() => {
    const s = worker.stats();
    return `processed ${s.processed}  in flight ${s.inFlight}  failed ${s.failed}  dead-lettered ${s.deadLettered}  dropped ${s.dropped}  reclaimed ${s.reclaimed}`;
  });
  try {
    return await worker.run(signal);
  } finally {
    const s = worker.stats();
    progress.stop(
      `processed ${s.processed}, dead-lettered ${s.deadLettered}, dropped ${s.dropped}, reclaimed ${s.reclaimed}`,
    );
  }
}
