import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SourceError } from '../../shared/errors.js';
import { imageToRgb } from '../encode-jpeg.js';
import type { FrameSource, RawFrame } from './frame-source.js';

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

/** Reads a folder's jpg/jpeg/png files in sorted order, resized to width x height. */
export function createImageFolderSource(options: ImageFolderSourceOptions): FrameSource {
  let closed = false;
  const { width, height } = options;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      let names: string[];
      try {
        names = sortImageNames(await readdir(options.path));
      } catch (err) {
        throw new SourceError(`cannot read image folder ${options.path}`, { cause: err });
      }
      if (names.length === 0) {
        throw new SourceError(`image folder ${options.path} has no .jpg, .jpeg or .png files`);
      }
      do {
        for (const name of names) {
          if (closed) {
            return;
          }
          const file = join(options.path, name);
          let pixels: Buffer;
          try {
            pixels = await imageToRgb(file, width, height);
          } catch (err) {
            throw new SourceError(`cannot decode image ${file}`, { cause: err });
          }
          yield { width, height, image: { format: 'rgb', pixels }, meta: { file: name } };
        }
      } while (options.loop && !closed);
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
