import sharp from 'sharp';
import type { RawFrame } from './sources/frame-source.js';

/** sharp adapter: images in, JPEG bytes out. Knows nothing of Redis. */

/** Encodes raw RGB pixels as a JPEG. */
export async function encodeRgbJpeg(
  pixels: Buffer,
  width: number,
  height: number,
  quality: number,
): Promise<Buffer> {
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
}

/** JPEG bytes of a frame: RGB frames are encoded, JPEG frames pass through. */
export async function frameToJpeg(frame: RawFrame, quality: number): Promise<Buffer> {
  return frame.image.format === 'jpeg'
    ? frame.image.data
    : encodeRgbJpeg(frame.image.pixels, frame.width, frame.height, quality);
}

/** Decodes any image sharp reads and resizes it to exactly width x height RGB pixels. */
export async function imageToRgb(
  input: Buffer | string,
  width: number,
  height: number,
): Promise<Buffer> {
  return sharp(input)
    .rotate()
    .resize(width, height, { fit: 'cover' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
}
