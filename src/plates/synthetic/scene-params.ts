import type { Random } from './seeded-random.js';

export type Difficulty = 'easy' | 'medium' | 'hard';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/** Every random choice of a scene, drawn up front so the renderer itself is pure. */
export interface SceneParams {
  /** Plate width as a share of the image width. */
  readonly plateWidthShare: number;
  /** Plate centre as shares of the image size. */
  readonly cx: number;
  readonly cy: number;
  readonly rotateDeg: number;
  readonly skewDeg: number;
  readonly blurSigma: number;
  readonly noiseSigma: number;
  readonly brightness: number;
  readonly jpegQuality: number;
  readonly carHue: number;
  readonly plateStyle: 'white' | 'yellow' | 'grey';
  /** Small text on the plate frame or a sticker (dealer names), to be ignored. */
  readonly distractor: boolean;
}

const RANGES: Record<
  Difficulty,
  {
    width: [number, number];
    rot: number;
    skew: number;
    blur: [number, number];
    noise: number;
    light: [number, number];
    q: [number, number];
  }
> = {
  easy: {
    width: [0.2, 0.28],
    rot: 2,
    skew: 2,
    blur: [0, 0.4],
    noise: 3,
    light: [0.9, 1.1],
    q: [85, 95],
  },
  medium: {
    width: [0.13, 0.2],
    rot: 6,
    skew: 6,
    blur: [0.5, 1.0],
    noise: 8,
    light: [0.7, 1.25],
    q: [60, 80],
  },
  hard: {
    width: [0.09, 0.14],
    rot: 10,
    skew: 10,
    blur: [0.9, 1.6],
    noise: 14,
    light: [0.5, 1.4],
    q: [35, 60],
  },
};

export function drawSceneParams(rnd: Random, difficulty: Difficulty): SceneParams {
  const r = RANGES[difficulty];
  return {
    plateWidthShare: rnd.range(...r.width),
    cx: rnd.range(0.3, 0.7),
    cy: rnd.range(0.55, 0.8),
    rotateDeg: rnd.range(-r.rot, r.rot),
    skewDeg: rnd.range(-r.skew, r.skew),
    blurSigma: rnd.range(...r.blur),
    noiseSigma: r.noise * rnd.range(0.5, 1),
    brightness: rnd.range(...r.light),
    jpegQuality: Math.round(rnd.range(...r.q)),
    carHue: rnd.int(0, 359),
    plateStyle: rnd.pick(['white', 'white', 'yellow', 'grey'] as const),
    distractor: difficulty !== 'easy' && rnd.next() < 0.6,
  };
}
