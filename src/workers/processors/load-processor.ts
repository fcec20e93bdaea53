import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, ProcessorError, errorMessage } from '../../shared/errors.js';
import { asProcessor, type Processor } from './processor.js';

export const BUILT_IN_PROCESSORS = ['stats', 'thumbnail', 'noop', 'plate'] as const;

/** Built-ins that live in their own feature folder, relative to this file. */
const BUILT_IN_PATHS: Readonly<Record<string, string>> = {
  plate: '../../plates/plate-processor',
};

export interface LoadedProcessor {
  readonly processor: Processor;
  /** Where a pool thread imports the same module from. */
  readonly url: string;
}

/** True when the option names a module file rather than a built-in. */
export function isProcessorPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.[cm]?[jt]s$/.test(spec);
}

function isBuiltIn(spec: string): boolean {
  return (BUILT_IN_PROCESSORS as readonly string[]).includes(spec);
}

/** A worker.processor that names nothing is bad config: the CLI exits 2. */
function badProcessorError(spec: string, problem: string, cause?: unknown): ConfigError {
  return new ConfigError(
    `worker.processor "${spec}" ${problem}`,
    [{ path: 'worker.processor', value: spec, message: problem }],
    cause === undefined ? undefined : { cause },
  );
}

/** Resolves a built-in name or a module path (relative to cwd) to an importable URL. */
export function processorUrl(spec: string, cwd: string = process.cwd()): string {
  if (isBuiltIn(spec)) {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    return new URL(`${BUILT_IN_PATHS[spec] ?? `./${spec}`}${ext}`, import.meta.url).href;
  }
  if (!isProcessorPath(spec)) {
    throw badProcessorError(
      spec,
      `is not a processor: use one of ${BUILT_IN_PROCESSORS.join(', ')} or a path like ./my-model.js`,
    );
  }
  return pathToFileURL(isAbsolute(spec) ? spec : resolve(cwd, spec)).href;
}

/**
 * Throws a ConfigError unless spec is a built-in or a module file this process can read:
 * called before waiting for Redis, so a typo fails at once (what the module exports is
 * checked when it is loaded).
 */
export async function checkProcessor(spec: string, cwd?: string): Promise<void> {
  const url = processorUrl(spec, cwd);
  if (isBuiltIn(spec)) {
    return;
  }
  try {
    await access(fileURLToPath(url), constants.R_OK);
  } catch (err) {
    throw badProcessorError(spec, `cannot be read: ${errorMessage(err)}`, err);
  }
}

export async function loadProcessor(spec: string, cwd?: string): Promise<LoadedProcessor> {
  const url = processorUrl(spec, cwd);
  let mod: unknown;
  try {
    mod = await import(url);
  } catch (err) {
    throw new ProcessorError(`cannot load processor "${spec}": ${errorMessage(err)}`, {
      cause: err,
    });
  }
  return { processor: asProcessor(mod, `processor "${spec}"`), url };
}
