import sharp from 'sharp';
import type { Box } from '../ocr/rgb-image.js';
import { randomPlateText } from './plate-text.js';
import type { Difficulty } from './scene-params.js';
import { drawSceneParams } from './scene-params.js';
import { sceneSvg } from './scene-svg.js';
import { createRandom, hashSeed } from './seeded-random.js';

export type { Difficulty } from './scene-params.js';

export interface PlateSceneOptions {
  readonly seed: number | string;
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly difficulty: Difficulty;
}

export interface PlateScene {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  readonly truth: { readonly plate: string; readonly bbox: Box };
}

/**
 * A car's rear with one plate, deterministic from seed + index: SVG drawn by sharp (librsvg), then
 * brightness, noise, blur and JPEG compression according to the difficulty.
 */
export async function renderPlateScene(options: PlateSceneOptions): Promise<PlateScene> {
  const { width, height } = options;
  const rnd = createRandom(hashSeed(options.seed, options.index));
  const text = randomPlateText(rnd);
  const params = drawSceneParams(rnd, options.difficulty);
  const { svg, bbox } = sceneSvg(text, params, width, height);
  const { data } = await sharp(Buffer.from(svg))
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] ?? 0) * params.brightness + rnd.gauss() * params.noiseSigma;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  let image = sharp(data, { raw: { width, height, channels: 3 } });
  if (params.blurSigma >= 0.3) {
    image = image.blur(params.blurSigma);
  }
  const jpeg = await image.jpeg({ quality: params.jpegQuality, mozjpeg: false }).toBuffer();
  return { jpeg, width, height, truth: { plate: text.plate, bbox } };
}
