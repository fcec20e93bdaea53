/**
 * Entry of one scenario process: `node --import tsx bench/scenarios/child-main.ts '<task json>'`.
 * Each scenario runs in its own process so its peak RSS is its own and no client, pool or
 * timer of one system lingers into the next.
 */
import { progressReporter, send } from '../lib/child-io.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';
import { runBare } from './bare.js';
import { runBullmq } from './bullmq.js';
import { runEnqueue } from './enqueue.js';
import { runFramepipe } from './framepipe.js';
import { runLatency } from './latency.js';
import { runRecovery } from './recovery.js';
import { runSoak } from './soak.js';
import { runStreams } from './streams.js';

async function runTask(task: Task): Promise<ScenarioResult> {
  const progress = progressReporter();
  switch (task.kind) {
    case 'bare':
      return runBare(task, progress);
    case 'framepipe':
      return runFramepipe(task, progress);
    case 'streams':
      return runStreams(task, progress);
    case 'bullmq':
      return runBullmq(task, progress);
    case 'enqueue':
      return runEnqueue(task, progress);
    case 'latency':
      return runLatency(task, progress);
    case 'recovery':
      return runRecovery(task, progress);
    case 'soak':
      return runSoak(task, progress);
  }
}

const arg = process.argv[2];
if (arg === undefined) {
  console.error('usage: child-main.ts <task json>');
  process.exit(2);
}
try {
  const result = await runTask(JSON.parse(arg) as Task);
  send({ type: 'result', result });
  if (process.send === undefined) {
    console.log(JSON.stringify(result, null, 2));
  }
  process.disconnect?.();
  // Clients that forgot to close must not keep a finished scenario alive.
  setTimeout(() => process.exit(0), 200).unref();
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  send({ type: 'error', message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) });
  console.error(e.stack ?? e.message);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 200).unref();
}
