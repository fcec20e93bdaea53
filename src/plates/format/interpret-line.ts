import type { PlateFormat } from './plate-formats.js';
import {
  CONFUSABLE,
  PLATE_FORMATS,
  freeReadingPrior,
  inClass,
  layoutBreaks,
  layoutClasses,
} from './plate-formats.js';

/** One recognised character; `dist` (36 plate-character probabilities, A-Z then 0-9) is optional. */
export interface ReadChar {
  readonly char: string;
  readonly prob: number;
  readonly dist?: Float32Array;
  readonly gapBefore?: boolean;
}

export interface Interpretation {
  /** Plate text without spaces, e.g. 'AYO9034'. */
  readonly text: string;
  /** The layout it fits, e.g. 'LLL DDDD', or null for a free reading. */
  readonly layout: string | null;
  /** Geometric mean of the chosen characters' probabilities, 0..1. */
  readonly confidence: number;
  /** Log-domain score used for ranking (characters + layout prior + group breaks + trimming). */
  readonly score: number;
  /** Characters changed by the layout rules. */
  readonly corrections: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** A confusable substitution keeps at least this share of the original character's probability. */
const KAPPA = 0.05;
const MIN_PROB = 1e-4;
const GAP_MATCH = 0.7;
const GAP_MISMATCH = 1.2;
const DROP_COST = 2.5;
const MIN_CHARS = 4;
const MAX_CHARS = 8;
const MAX_TRIM = 2;
/** An inner character below this probability may be dropped (see withoutOneWeak). */
const WEAK_PROB = 0.6;

function probOf(rc: ReadChar, c: string, cls: string): number {
  const k = ALPHABET.indexOf(c);
  const direct = rc.dist ? (rc.dist[k] ?? 0) : c === rc.char ? rc.prob : 0;
  // The first look-alike listed that the layout allows here is the usual one (0 -> O where any letter
  // may stand, 0 -> D where only A-J may), so it gets the larger floor.
  const allowed = [...(CONFUSABLE[rc.char] ?? '')].filter((x) => inClass(x, cls));
  const rank = allowed.indexOf(c);
  const viaConfusion = rank < 0 ? 0 : (rank === 0 ? KAPPA : KAPPA / 4) * rc.prob;
  return Math.max(direct, viaConfusion, c === rc.char ? rc.prob : 0);
}

function bestInClass(rc: ReadChar, cls: string): { c: string; p: number } {
  let best = { c: '', p: 0 };
  for (const c of ALPHABET) {
    if (!inClass(c, cls)) {
      continue;
    }
    const p = probOf(rc, c, cls);
    if (p > best.p) {
      best = { c, p };
    }
  }
  return best;
}

function gapTerm(chars: readonly ReadChar[], breaks: Set<number> | null): number {
  let term = 0;
  chars.forEach((rc, i) => {
    if (i > 0 && rc.gapBefore === true && breaks !== null) {
      term += breaks.has(i) ? GAP_MATCH : -GAP_MISMATCH;
    }
  });
  return term;
}

function fitLayout(chars: readonly ReadChar[], format: PlateFormat | null): Interpretation | null {
  const classes = format ? layoutClasses(format) : null;
  if (classes !== null && classes.length !== chars.length) {
    return null;
  }
  let text = '';
  let logp = 0;
  let corrections = 0;
  for (let i = 0; i < chars.length; i++) {
    const rc = chars[i] as ReadChar;
    const { c, p } = classes ? bestInClass(rc, classes[i] ?? 'A') : { c: rc.char, p: rc.prob };
    if (p < MIN_PROB) {
      return null;
    }
    text += c;
    logp += Math.log(p);
    corrections += c === rc.char ? 0 : 1;
  }
  const prior = format ? format.prior : freeReadingPrior(text);
  const breaks = format ? layoutBreaks(format) : null;
  return {
    text,
    layout: format ? format.pattern : null,
    confidence: Math.exp(logp / chars.length),
    score: logp + Math.log(prior) + gapTerm(chars, breaks),
    corrections,
  };
}

/**
 * Dropping a character read at this probability or more costs CONFIDENT_DROP_EXTRA on top, so
 * that with DROP_COST it outweighs the widest gap between a layout's prior and a free reading's
 * (log(1 / 0.03) = 3.5) plus a matching group break (GAP_MATCH): a clean plate of a layout not
 * listed keeps its end characters (`ABCD 1234` was read `BCD1234`, `LLL DDDD`). Half of it for
 * a character apart behind a gap (a country band's letter), as for any trim.
 */
const CONFIDENT = 0.9;
const CONFIDENT_DROP_EXTRA = 2.5;

/** Cost of dropping characters at the ends: confident characters are expensive, junk after a gap is cheap. */
function trimCost(dropped: readonly ReadChar[], gapSeparated: boolean): number {
  const cost = dropped.reduce(
    (sum, rc) => sum + DROP_COST * rc.prob + (rc.prob >= CONFIDENT ? CONFIDENT_DROP_EXTRA : 0),
    0,
  );
  return gapSeparated ? cost / 2 : cost;
}

/**
 * The line without one weak inner character: an emblem, bolt or sticker between the groups that the
 * recogniser read, unsure, as a character (`2T4·0211` read `2T480211`). The gap it leaves is a group break.
 */
function withoutOneWeak(
  chars: readonly ReadChar[],
  cost: number,
): { chars: ReadChar[]; cost: number }[] {
  const out: { chars: ReadChar[]; cost: number }[] = [];
  for (let i = 1; i < chars.length - 1; i++) {
    const rc = chars[i] as ReadChar;
    if (rc.prob < WEAK_PROB && chars.length - 1 >= MIN_CHARS) {
      const rest = [
        ...chars.slice(0, i),
        { ...(chars[i + 1] as ReadChar), gapBefore: true },
        ...chars.slice(i + 2),
      ];
      out.push({ chars: rest, cost: cost + DROP_COST * rc.prob });
    }
  }
  return out;
}

/**
 * Every plausible reading of a recognised text line, best first: each layout of the same length with the
 * characters the layout needs (O->0 where a digit must be, 8->B where a letter must be, ...), a free
 * reading, and the same for the line with up to two characters trimmed from either end (a country band's
 * "D", a frame edge read as "I").
 */
export function interpretLine(
  chars: readonly ReadChar[],
  formats: readonly PlateFormat[] = PLATE_FORMATS,
): Interpretation[] {
  const out: Interpretation[] = [];
  for (let start = 0; start <= MAX_TRIM; start++) {
    for (let end = chars.length; end >= chars.length - MAX_TRIM; end--) {
      const core = chars.slice(start, end);
      if (core.length < MIN_CHARS || core.length > MAX_CHARS) {
        continue;
      }
      const cost =
        trimCost(chars.slice(0, start), core[0]?.gapBefore === true) +
        trimCost(chars.slice(end), chars[end]?.gapBefore === true);
      const trimmed = core.map((rc, i) => (i === 0 ? { ...rc, gapBefore: false } : rc));
      for (const variant of [{ chars: trimmed, cost }, ...withoutOneWeak(trimmed, cost)]) {
        for (const format of [...formats, null]) {
          const fit = fitLayout(variant.chars, format);
          if (fit) {
            out.push({ ...fit, score: fit.score - variant.cost });
          }
        }
      }
    }
  }
  out.sort((a, b) => b.score - a.score);
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(r.text) && seen.add(r.text));
}
