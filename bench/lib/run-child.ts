import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../src/shared/node-flags.js';
import type { ChildMessage, ScenarioResult, Task } from './tasks.js';

const CHILD_MAIN = fileURLToPath(new URL('../scenarios/child-main.ts', import.meta.url));

export interface ChildHooks {
  onProgress?(fraction: number, detail?: string): void;
  onSample?(message: Extract<ChildMessage, { type: 'sample' }>): void;
  onPid?(pid: number): void;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly execArgv?: readonly string[];
  /** Extra environment for the child (and the fixtures it starts). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs one scenario in its own node process (tsx) and resolves with its result. */
export function runChild(task: Task, hooks: ChildHooks = {}): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_MAIN, [JSON.stringify(task)], {
      // framepipe's own node flags for every system's process: the same runtime for all.
      execArgv: ['--import', 'tsx', ...NODE_FLAGS, ...(hooks.execArgv ?? [])],
      env: { ...process.env, ...hooks.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    if (child.pid !== undefined) {
      hooks.onPid?.(child.pid);
    }
    let result: ScenarioResult | undefined;
    let error: Error | undefined;
    child.on('message', (raw: unknown) => {
      const m = raw as ChildMessage;
      if (m.type === 'progress') {
        hooks.onProgress?.(m.fraction, m.detail);
      } else if (m.type === 'sample') {
        hooks.onSample?.(m);
      } else if (m.type === 'result') {
        result = m.result;
      } else {
        error = new Error(`${task.kind} scenario failed: ${m.message}`);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (result !== undefined) {
        resolve(result);
      } else {
        reject(
          error ?? new Error(`${task.kind} scenario exited with ${code ?? signal} and no result`),
        );
      }
    });
  });
}
