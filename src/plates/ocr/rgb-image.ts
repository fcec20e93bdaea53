import sharp from 'sharp';
import { MAX_DECODE_PIXELS } from '../../shared/decode-limits.js';

/** Packed 8-bit RGB pixels, row-major. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Decodes any sharp-readable image (JPEG, PNG) to RGB, honouring EXIF orientation. */
export async function decodeRgb(image: Buffer | Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(image, { limitInputPixels: MAX_DECODE_PIXELS })
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return { data, width, height };
}

/** Copies a box (clamped to the image) out of an image. */
export function cropRgb(img: RgbImage, box: Box): RgbImage {
  const x0 = clamp(Math.floor(box.x), 0, img.width - 1);
  const y0 = clamp(Math.floor(box.y), 0, img.height - 1);
  const x1 = clamp(Math.ceil(box.x + box.w), x0 + 1, img.width);
  const y1 = clamp(Math.ceil(box.y + box.h), y0 + 1, img.height);
  const width = x1 - x0;
  const height = y1 - y0;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * img.width + x0) * 3;
    data.set(img.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/** Grows a box by `fx` of its width and `fy` of its height on each side, clamped to the image. */
export function padBox(box: Box, fx: number, fy: number, width: number, height: number): Box {
  const x = Math.max(0, box.x - box.w * fx);
  const y = Math.max(0, box.y - box.h * fy);
  const x1 = Math.min(width, box.x + box.w * (1 + fx));
  const y1 = Math.min(height, box.y + box.h * (1 + fy));
  return { x, y, w: x1 - x, h: y1 - y };
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Intersection over union of two boxes. */
export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter === 0 ? 0 : inter / (a.w * a.h + b.w * b.h - inter);
}

/**
 * Stretches contrast so that the 2nd and 98th luminance percentiles become black and white: plates in
 * shade, at night or in glare reach the recogniser with the same range as well-lit ones.
 */
export function stretchContrast(img: RgbImage, lowShare = 0.02, highShare = 0.98): RgbImage {
  const hist = new Uint32Array(256);
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const y =
      (77 * (img.data[i * 3] ?? 0) +
        150 * (img.data[i * 3 + 1] ?? 0) +
        29 * (img.data[i * 3 + 2] ?? 0)) >>
      8;
    hist[y] = (hist[y] ?? 0) + 1;
  }
  let lo = 0;
  let hi = 255;
  for (let acc = 0, v = 0; v < 256; v++) {
    acc += hist[v] ?? 0;
    if (acc <= n * lowShare) {
      lo = v;
    }
    if (acc < n * highShare) {
      hi = v + 1;
    }
  }
  if (hi - lo < 16) {
    return img;
  }
  const scale = 255 / (hi - lo);
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = clamp(Math.round(((img.data[i] ?? 0) - lo) * scale), 0, 255);
  }
  return { data, width: img.width, height: img.height };
}
