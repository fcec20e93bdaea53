import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<dir>/<name>.json`, or with the run's start time added when a run of the same day and mode
 * is there already (results quoted in docs/performance.md are committed: a rerun never
 * replaces them).
 */
export async function freshResultsFile(dir: string, name: string, started: Date): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  try {
    await access(file);
  } catch {
    return file;
  }
  return join(dir, `${name}-${started.toISOString().slice(11, 19).replaceAll(':', '')}.json`);
}
