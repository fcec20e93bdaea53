import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { ConfigError, errorMessage } from '../../shared/errors.js';

/** What producer.path must name: a folder of images, or a file/device ffmpeg reads. */
export type InputKind = 'folder' | 'file';

/** A bad producer.path is bad config: ConfigError names the option, so the CLI exits 2. */
export function badPathError(path: string, problem: string, cause?: unknown): ConfigError {
  return new ConfigError(
    `producer.path "${path}" ${problem}`,
    [{ path: 'producer.path', value: path, message: problem }],
    cause === undefined ? undefined : { cause },
  );
}

/** rtsp://, http://, pipe:0 ... : ffmpeg opens these itself, there is no path to check. */
export function isUrlInput(path: string): boolean {
  // Two letters at least, so a Windows drive (C:\) is still a path.
  return /^[a-z][a-z0-9+.-]+:/i.test(path);
}

/** Throws a ConfigError unless path exists, is of `kind`, and this process may read it. */
export async function checkReadablePath(path: string, kind: InputKind): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
    // A folder must be listable too (X_OK), not only readable.
    await access(path, isFolder ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch (err) {
    throw badPathError(path, `cannot be read: ${errorMessage(err)}`, err);
  }
  if (isFolder !== (kind === 'folder')) {
    throw badPathError(path, isFolder ? 'is a folder, not a file' : 'is not a folder');
  }
}
