import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import type { Box, RgbImage } from './rgb-image.js';
import { resizeRgb } from './rgb-image.js';
import { findTextBoxes } from './db-postprocess.js';

export interface TextBox extends Box {
  /** Mean DB probability inside the region. */
  readonly score: number;
  /** Slope of the text line, degrees, clockwise positive. */
  readonly angleDeg: number;
}

export interface DetectOptions {
  /** Longest side fed to the model, rounded to a multiple of 32 (PaddleOCR limit_side_len). */
  readonly maxSidePx: number;
  /** At most this much larger than the image (1: never upscaled). */
  readonly maxUpscale?: number;
}

// PaddleOCR NormalizeImage defaults, applied to its BGR channel order.
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

/** DB text detection: boxes of text regions in the coordinates of `img`. */
export async function detectText(
  session: InferenceSession,
  img: RgbImage,
  options: DetectOptions,
): Promise<TextBox[]> {
  const scale = Math.min(
    options.maxUpscale ?? 1,
    options.maxSidePx / Math.max(img.width, img.height),
  );
  const w = Math.max(32, Math.round((img.width * scale) / 32) * 32);
  const h = Math.max(32, Math.round((img.height * scale) / 32) * 32);
  const resized = await resizeRgb(img, w, h);
  const input = new Float32Array(3 * w * h);
  const plane = w * h;
  const px = resized.data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      // BGR order: channel c of the tensor takes RGB channel 2 - c.
      const v = (px[i * 3 + 2 - c] ?? 0) / 255;
      input[c * plane + i] = (v - (MEAN[c] ?? 0)) / (STD[c] ?? 1);
    }
  }
  const feeds = { [session.inputNames[0] ?? 'x']: new Tensor('float32', input, [1, 3, h, w]) };
  const out = await session.run(feeds);
  const prob = out[session.outputNames[0] ?? '']?.data as Float32Array;
  const sx = img.width / w;
  const sy = img.height / h;
  return findTextBoxes(prob, w, h).map((b) => ({
    x: b.x * sx,
    y: b.y * sy,
    w: b.w * sx,
    h: b.h * sy,
    score: b.score,
    angleDeg: b.angleDeg,
  }));
}
