import sharp from 'sharp';
import type { Box, RgbImage } from './rgb-image.js';
import { cropRgb } from './rgb-image.js';

/** Below this slope the recogniser copes as is; above the maximum the box geometry is not trusted. */
export const MIN_DESKEW_DEG = 3;
export const MAX_DESKEW_DEG = 25;

/**
 * Length and thickness of a straight text line of slope `deg` whose axis-aligned box is w x h:
 * w = L cos + H sin, h = L sin + H cos, solved for L and H. Null when the box cannot hold such a line.
 */
export function lineSize(
  w: number,
  h: number,
  deg: number,
): { length: number; thickness: number } | null {
  const a = (Math.abs(deg) * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const det = c * c - s * s;
  const length = (w * c - h * s) / det;
  const thickness = (h * c - w * s) / det;
  return length > 0 && thickness > 2 ? { length, thickness } : null;
}

/**
 * The text line in `box`, rotated level and cropped with a margin (share of its length, thickness).
 * Null when no deskew is needed or possible; the caller then crops the plain box.
 */
export async function deskewCrop(
  img: RgbImage,
  box: Box,
  deg: number,
  padX: number,
  padY: number,
): Promise<RgbImage | null> {
  const size = lineSize(box.w, box.h, deg);
  if (Math.abs(deg) < MIN_DESKEW_DEG || Math.abs(deg) > MAX_DESKEW_DEG || !size) {
    return null;
  }
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const half = Math.max(box.w, box.h) * 0.75;
  const region = { x: cx - half, y: cy - half, w: 2 * half, h: 2 * half };
  if (
    region.x < 0 ||
    region.y < 0 ||
    region.x + region.w > img.width ||
    region.y + region.h > img.height
  ) {
    return null; // near the border the crop would not be centred on the line
  }
  const square = cropRgb(img, region);
  const { data, info } = await sharp(square.data, {
    raw: { width: square.width, height: square.height, channels: 3 },
  })
    .rotate(-deg, { background: { r: 128, g: 128, b: 128 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rotated = { data, width: info.width, height: info.height };
  const w = size.length * (1 + 2 * padX);
  const h = size.thickness * (1 + 2 * padY);
  return cropRgb(rotated, { x: (rotated.width - w) / 2, y: (rotated.height - h) / 2, w, h });
}
