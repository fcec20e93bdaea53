/**
 * Greedy CTC decoding restricted to plate characters. The PP-OCR recogniser scores ~6600 labels
 * (Chinese, Latin, punctuation); plates use A-Z and 0-9 only, so at each time step we fold lower case
 * into upper case, lump every other label into one "other" class (it separates characters like a
 * space), and keep, per emitted character, its distribution over the 36 plate characters so that the
 * format rules can ask "how likely was a digit here?" instead of guessing from a confusion table.
 */
export const PLATE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const N = PLATE_ALPHABET.length;
const BLANK = N;
const OTHER = N + 1;

export interface DecodedChar {
  readonly char: string;
  readonly prob: number;
  /** Probabilities of the 36 plate characters at this character's strongest time step. */
  readonly dist: Float32Array;
  /** A space, dash or non-plate label came between this character and the previous one. */
  readonly gapBefore: boolean;
  /** Time step, for telling positions apart. */
  readonly t: number;
}

/** Maps each recogniser label index to a plate class: 0..35, BLANK or OTHER. */
export function buildLabelMap(labels: readonly string[]): Int16Array {
  const map = new Int16Array(labels.length).fill(OTHER);
  map[0] = BLANK;
  labels.forEach((label, i) => {
    const k = i === 0 ? -1 : PLATE_ALPHABET.indexOf(label.toUpperCase());
    if (k >= 0 && label.length === 1) {
      map[i] = k;
    }
  });
  return map;
}

export function ctcDecodePlate(
  probs: Float32Array,
  steps: number,
  classes: number,
  labelMap: Int16Array,
): DecodedChar[] {
  const out: DecodedChar[] = [];
  const folded = new Float32Array(N + 2);
  let prev = BLANK;
  let gap = false;
  let current: { char: number; prob: number; dist: Float32Array; t: number } | undefined;
  const flush = (): void => {
    if (current) {
      out.push({
        char: PLATE_ALPHABET[current.char] ?? '?',
        prob: current.prob,
        dist: current.dist,
        gapBefore: gap && out.length > 0,
        t: current.t,
      });
      gap = false;
      current = undefined;
    }
  };
  for (let t = 0; t < steps; t++) {
    folded.fill(0);
    const base = t * classes;
    for (let k = 0; k < classes; k++) {
      const cls = labelMap[k] ?? OTHER;
      folded[cls] = (folded[cls] ?? 0) + (probs[base + k] ?? 0);
    }
    let best = 0;
    for (let k = 1; k < N + 2; k++) {
      if ((folded[k] ?? 0) > (folded[best] ?? 0)) {
        best = k;
      }
    }
    if (best < N) {
      const p = folded[best] ?? 0;
      if (best !== prev) {
        flush();
        current = { char: best, prob: p, dist: folded.slice(0, N), t };
      } else if (current && p > current.prob) {
        current = { char: best, prob: p, dist: folded.slice(0, N), t };
      }
    } else if (best === OTHER) {
      flush();
      gap = true;
    } else {
      flush();
    }
    prev = best;
  }
  flush();
  return out;
}
