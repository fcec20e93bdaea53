import type { Box } from '../ocr/rgb-image.js';
import type { TextBox } from '../ocr/text-detector.js';

export interface CandidateOptions {
  /** Text shorter than this (px, source image) is too small to read. */
  readonly minHeightPx: number;
  readonly minAspect: number;
  readonly maxAspect: number;
  readonly maxCandidates: number;
}

export const CANDIDATE_DEFAULTS: CandidateOptions = {
  minHeightPx: 9,
  minAspect: 0.9,
  maxAspect: 16,
  maxCandidates: 12,
};

export interface LineCandidate extends Box {
  readonly score: number;
  /** How many detector boxes were joined into this line. */
  readonly parts: number;
  /** Slope of the text, degrees (of the first box for joined lines). */
  readonly angleDeg: number;
}

function sameLine(a: Box, b: Box): boolean {
  const top = Math.max(a.y, b.y);
  const bottom = Math.min(a.y + a.h, b.y + b.h);
  const overlap = bottom - top;
  const minH = Math.min(a.h, b.h);
  const maxH = Math.max(a.h, b.h);
  const gap = Math.max(a.x, b.x) - Math.min(a.x + a.w, b.x + b.w);
  return overlap > 0.6 * minH && maxH < 1.6 * minH && gap < 1.2 * maxH;
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    w: Math.max(a.x + a.w, b.x + b.w) - x,
    h: Math.max(a.y + a.h, b.y + b.h) - y,
  };
}

/**
 * Plate-like text lines from detector boxes: every box, plus neighbours on the same line joined
 * (detectors often split "ABC 1234" at the space), kept if tall enough and plate-shaped, ranked by
 * detector score weighted towards larger text (plates carry the biggest characters on a car's rear).
 */
export function plateCandidates(
  boxes: readonly TextBox[],
  options: CandidateOptions = CANDIDATE_DEFAULTS,
): LineCandidate[] {
  const sorted = [...boxes].sort((a, b) => a.x - b.x);
  const lines: LineCandidate[] = sorted.map((b) => ({ ...b, parts: 1 }));
  for (let i = 0; i < sorted.length; i++) {
    let acc: Box = sorted[i] as TextBox;
    let score = (sorted[i] as TextBox).score;
    let parts = 1;
    for (let j = i + 1; j < sorted.length && parts < 3; j++) {
      const next = sorted[j] as TextBox;
      if (sameLine(acc, next)) {
        acc = union(acc, next);
        score = Math.min(score, next.score);
        parts++;
        lines.push({ ...acc, score, parts, angleDeg: (sorted[i] as TextBox).angleDeg });
      }
    }
  }
  const kept = lines.filter((l) => {
    const aspect = l.w / l.h;
    return l.h >= options.minHeightPx && aspect >= options.minAspect && aspect <= options.maxAspect;
  });
  const rank = (l: LineCandidate): number => l.score * Math.sqrt(l.h);
  return kept.sort((a, b) => rank(b) - rank(a)).slice(0, options.maxCandidates);
}
