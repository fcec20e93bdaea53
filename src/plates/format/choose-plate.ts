import type { Box } from '../ocr/rgb-image.js';
import type { Interpretation, ReadChar } from './interpret-line.js';
import { interpretLine } from './interpret-line.js';

export interface PlateRead {
  /** Plate text without spaces, upper case, e.g. 'AYO9034'. */
  readonly text: string;
  /** 0..1; the geometric mean of the character probabilities. */
  readonly confidence: number;
  readonly bbox: Box;
  /** The layout it fits, e.g. 'LLL DDDD', or null for a free reading. */
  readonly layout: string | null;
}

export interface RecognisedLine {
  readonly bbox: Box;
  readonly chars: readonly ReadChar[];
}

const SIZE_WEIGHT = 3;

/** Words that appear on or around plates but are never the plate itself. */
const NOT_PLATES = new Set([
  'BRASIL',
  'BRAZIL',
  'MERCOSUL',
  'MERCOSUR',
  'EUROPE',
  'POLICE',
  'TAXI',
  'DEALER',
  'STATE',
  'COUNTY',
  'SUNSHINE',
  'EMPIRE',
  'EXPLORE',
  'AMERICA',
  'GARDEN',
  'WASHINGTON',
  'CALIFORNIA',
  'FLORIDA',
  'TEXAS',
  'ILLINOIS',
  'OHIO',
  'VIRGINIA',
  'GEORGIA',
  'ARIZONA',
  'MICHIGAN',
  'NEVADA',
  'OREGON',
  'COLORADO',
  'MONTANA',
  'INDIANA',
  'KANSAS',
  'IOWA',
  'MAINE',
  'UTAH',
  'IDAHO',
  'ALASKA',
  'HAWAII',
  'VERMONT',
  'DELAWARE',
  'KENTUCKY',
  'MISSOURI',
  'NEBRASKA',
  'ALABAMA',
  'LOUISIANA',
]);

/** A free reading (no layout) must look like a plate: a word of 4-8 characters that is not a known non-plate word. */
function acceptable(r: Interpretation): boolean {
  if (NOT_PLATES.has(r.text)) {
    return false;
  }
  return r.layout !== null || r.text.length <= 8;
}

/**
 * Ranks every line's readings and returns the plates found, best first: one reading per line (its best
 * acceptable interpretation), lines whose boxes overlap a better line dropped.
 */
export function choosePlates(lines: readonly RecognisedLine[], minConfidence = 0.3): PlateRead[] {
  const reads: (PlateRead & { score: number })[] = [];
  const tallest = Math.max(1, ...lines.map((l) => l.bbox.h));
  for (const line of lines) {
    const best = interpretLine(line.chars).find(acceptable);
    if (best && best.confidence >= minConfidence) {
      // Plates carry the largest characters around them (frames, stickers, dealer text are smaller).
      const score = best.score + SIZE_WEIGHT * Math.log(line.bbox.h / tallest);
      reads.push({
        text: best.text,
        confidence: best.confidence,
        bbox: line.bbox,
        layout: best.layout,
        score,
      });
    }
  }
  reads.sort((a, b) => b.score - a.score);
  const out: PlateRead[] = [];
  for (const r of reads) {
    if (!out.some((o) => o.text === r.text || overlaps(o.bbox, r.bbox))) {
      out.push({ text: r.text, confidence: r.confidence, bbox: r.bbox, layout: r.layout });
    }
  }
  return out;
}

function overlaps(a: Box, b: Box): boolean {
  const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return ix > 0 && iy > 0 && ix * iy > 0.3 * Math.min(a.w * a.h, b.w * b.h);
}
