/**
 * Plate layouts as patterns over character classes: L = letter, D = digit, M = a letter A-J (Brazil's
 * Mercosur plates replaced the old fifth digit 0-9 by A-J), space = a group break.
 * The prior is a rough "how common is this layout among plates in the wild" weight; it only breaks ties
 * between layouts that the recogniser cannot tell apart (AY0 9034 vs AYO 9034). Layouts are shared by
 * many countries, so the list is by shape, not by country; a plate that fits none is still read as is
 * (vanity plates, rare layouts), just with less confidence.
 */
export interface PlateFormat {
  readonly pattern: string;
  readonly prior: number;
  readonly examples: string;
}

export const PLATE_FORMATS: readonly PlateFormat[] = [
  { pattern: 'LLL DDDD', prior: 1, examples: 'BR grey plates, many US states, PL' },
  { pattern: 'LLL DMDD', prior: 0.8, examples: 'Mercosur (BR)' },
  { pattern: 'LL DDD LL', prior: 0.8, examples: 'FR, IT, HR, AR Mercosur' },
  { pattern: 'LL DD LLL', prior: 0.6, examples: 'UK' },
  { pattern: 'DDDD LLL', prior: 0.6, examples: 'ES' },
  { pattern: 'D LLL DDD', prior: 0.6, examples: 'CA (US)' },
  { pattern: 'LLL DDD', prior: 0.5, examples: 'older US, NL, many' },
  { pattern: 'DDD LLL', prior: 0.4, examples: 'US states' },
  { pattern: 'LL DDDDD', prior: 0.4, examples: 'PL' },
  { pattern: 'LLL DDDDD', prior: 0.2, examples: 'PL' },
  { pattern: 'LL DDDD', prior: 0.3, examples: 'US states, PL' },
  { pattern: 'DD LLL D', prior: 0.2, examples: 'NL' },
  { pattern: 'D LL DDD', prior: 0.2, examples: 'US states' },
  { pattern: 'DLL DDDD', prior: 0.06, examples: 'CZ, MD (US)' },
  { pattern: 'DLD DDDD', prior: 0.06, examples: 'CZ' },
  { pattern: 'DDD DDDD', prior: 0.05, examples: 'US states' },
  { pattern: 'LL DDDD LL', prior: 0.2, examples: 'RO, BG, UA' },
  { pattern: 'DDD LDDD', prior: 0.15, examples: 'US states' },
  { pattern: 'LLL DDDL', prior: 0.15, examples: 'US states' },
  { pattern: 'LLL DDLL', prior: 0.15, examples: 'CZ, PT' },
  { pattern: 'LLL DDL', prior: 0.1, examples: 'SE' },
  { pattern: 'LL DDDDDD', prior: 0.05, examples: 'CH' },
];

/** Weight of a reading that fits no layout (vanity plates, layouts missing from the list). */
export const UNKNOWN_LAYOUT_PRIOR = 0.03;
/**
 * A free reading of letters only or digits only weighs less: such text around a plate is mostly a word
 * (slogan, frame, make) or a sticker's year or serial, while vanity plates and rare layouts usually mix.
 */
export const SINGLE_CLASS_SHARE = 0.5;

/** Prior of a reading that fits no layout. */
export function freeReadingPrior(text: string): number {
  const letters = [...text].filter(isLetter).length;
  const single = letters === 0 || letters === text.length;
  return single ? UNKNOWN_LAYOUT_PRIOR * SINGLE_CLASS_SHARE : UNKNOWN_LAYOUT_PRIOR;
}

/** Letter/digit pairs that recognisers confuse; a correction between them costs at most log(1/κ). */
export const CONFUSABLE: Readonly<Record<string, string>> = {
  O: '0DQ',
  '0': 'ODQ',
  D: '0O',
  Q: '0O',
  I: '1LT',
  '1': 'ILT',
  L: '1I',
  T: '1I7',
  '7': 'T',
  B: '8',
  '8': 'B',
  S: '5',
  '5': 'S',
  Z: '2',
  '2': 'Z',
  G: '6',
  '6': 'G',
  A: '4',
  '4': 'A',
};

export function isLetter(c: string): boolean {
  return c >= 'A' && c <= 'Z';
}

export function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Does character c belong to layout class k (L, D, M, anything else = any)? */
export function inClass(c: string, k: string): boolean {
  if (k === 'L') {
    return isLetter(c);
  }
  if (k === 'D') {
    return isDigit(c);
  }
  return k === 'M' ? c >= 'A' && c <= 'J' : true;
}

/** The class string of a layout without group breaks, e.g. 'LLLDDDD'. */
export function layoutClasses(format: PlateFormat): string {
  return format.pattern.replaceAll(' ', '');
}

/** Positions (counted in characters) where a layout has a group break, e.g. {3} for 'LLL DDDD'. */
export function layoutBreaks(format: PlateFormat): Set<number> {
  const breaks = new Set<number>();
  let n = 0;
  for (const c of format.pattern) {
    if (c === ' ') {
      breaks.add(n);
    } else {
      n++;
    }
  }
  return breaks;
}

/** Does a plain string (no spaces) fit a layout exactly? */
export function fitsLayout(text: string, format: PlateFormat): boolean {
  const classes = layoutClasses(format);
  if (text.length !== classes.length) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    if (!inClass(text[i] ?? '', classes[i] ?? '')) {
      return false;
    }
  }
  return true;
}
