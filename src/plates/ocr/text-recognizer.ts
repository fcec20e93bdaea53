import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import type { RgbImage } from './rgb-image.js';
import { resizeRgb } from './rgb-image.js';
import type { DecodedChar } from './ctc-decode.js';
import { ctcDecodePlate } from './ctc-decode.js';

export const REC_HEIGHT_PX = 48;
const MAX_WIDTH_PX = 640;

/** Runs the CTC recogniser on one text-line image and decodes it to plate characters. */
export async function recognizeLine(
  session: InferenceSession,
  labelMap: Int16Array,
  line: RgbImage,
): Promise<DecodedChar[]> {
  const h = REC_HEIGHT_PX;
  const w = Math.min(MAX_WIDTH_PX, Math.max(h, Math.round((line.width * h) / line.height)));
  const resized = await resizeRgb(line, w, h);
  const plane = w * h;
  const input = new Float32Array(3 * plane);
  const px = resized.data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      input[c * plane + i] = (px[i * 3 + 2 - c] ?? 0) / 127.5 - 1;
    }
  }
  const feeds = { [session.inputNames[0] ?? 'x']: new Tensor('float32', input, [1, 3, h, w]) };
  const out = await session.run(feeds);
  const tensor = out[session.outputNames[0] ?? ''];
  if (!tensor) {
    return [];
  }
  const [, steps = 0, classes = 0] = tensor.dims;
  return ctcDecodePlate(tensor.data as Float32Array, steps, classes, labelMap);
}
