import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SourceError, errorMessage } from '../../shared/errors.js';
import { imageToRgb } from '../encode-jpeg.js';
import { badPathError, checkReadablePath } from './check-input.js';
import { isUnreadable, type FrameSource, type SourceItem } from './frame-source.js';

export interface ImageFolderSourceOptions {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly loop: boolean;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

/** Image file names of a folder in a stable order (code-point order, so not locale-dependent). */
export function sortImageNames(names: readonly string[]): string[] {
  return names
    .filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase()))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * One image file resized to width x height RGB, or an UnreadableInput: 'unreadable' when the
 * file cannot be read (gone since the listing, no permission), 'decode_error' when sharp
 * cannot decode it (empty, truncated, not an image).
 */
export async function readImageFile(
  folder: string,
  name: string,
  width: number,
  height: number,
): Promise<SourceItem> {
  const file = join(folder, name);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { unreadable: { reason: 'unreadable', input: file, err } };
  }
  try {
    const pixels = await imageToRgb(bytes, width, height);
    return { width, height, image: { format: 'rgb', pixels }, meta: { file: name } };
  } catch (err) {
    return { unreadable: { reason: 'decode_error', input: file, err } };
  }
}

/** The folder's image names, sorted; `problem` makes the error when it cannot give any. */
async function listImages(
  path: string,
  problem: (what: string, cause?: unknown) => Error,
): Promise<string[]> {
  let names: string[];
  try {
    names = sortImageNames(await readdir(path));
  } catch (err) {
    throw problem(`cannot be listed: ${errorMessage(err)}`, err);
  }
  if (names.length === 0) {
    throw problem('has no .jpg, .jpeg or .png files');
  }
  return names;
}

/**
 * Reads a folder's jpg/jpeg/png files in sorted order, resized to width x height. A file that
 * cannot be read is yielded as UnreadableInput and skipped; a pass without one readable file
 * ends the source with a SourceError (a loop would otherwise spin on bad files forever).
 */
export function createImageFolderSource(
  options: ImageFolderSourceOptions,
): FrameSource<SourceItem> {
  let closed = false;
  const { path, width, height } = options;
  return {
    async check(): Promise<void> {
      await checkReadablePath(path, 'folder');
      // Before the start: a bad path is bad configuration.
      await listImages(path, (what, cause) => badPathError(path, what, cause));
    },
    async *[Symbol.asyncIterator](): AsyncIterator<SourceItem> {
      // Later (the folder changed since the check): the source cannot go on.
      const names = await listImages(
        path,
        (what, cause) => new SourceError(`image folder ${path} ${what}`, { cause }),
      );
      do {
        let readable = 0;
        let lastErr: unknown;
        for (const name of names) {
          if (closed) {
            return;
          }
          const item = await readImageFile(path, name, width, height);
          if (isUnreadable(item)) {
            lastErr = item.unreadable.err;
          } else {
            readable++;
          }
          yield item;
        }
        if (readable === 0 && !closed) {
          throw new SourceError(
            `no readable image in folder ${path}: all ${names.length} image files failed (last: ${errorMessage(lastErr)})`,
            { cause: lastErr },
          );
        }
      } while (options.loop && !closed);
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
