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

/** Score per log of relative text height: a line at 0.6 of the tallest line's height loses 2.6. */
const SIZE_WEIGHT = 5;

/**
 * Words printed on plates, plate frames and cars that are never the plate itself: country and state
 * names, state slogans (`Sunshine State`, `Land of Lincoln`), words of dealer frames and registration
 * stickers, and car makes on the boot lid. Upper case, letters only (a line's spaces are group breaks).
 */
const NOT_PLATE_WORDS = [
  // Countries, unions and their plate words.
  'BRASIL',
  'BRAZIL',
  'MERCOSUL',
  'MERCOSUR',
  'EUROPE',
  'EUROPA',
  // US states, DC, territories and Canadian provinces seen on US roads.
  'ALABAMA',
  'ALASKA',
  'ARIZONA',
  'ARKANSAS',
  'CALIFORNIA',
  'COLORADO',
  'CONNECTICUT',
  'DELAWARE',
  'FLORIDA',
  'GEORGIA',
  'HAWAII',
  'IDAHO',
  'ILLINOIS',
  'INDIANA',
  'IOWA',
  'KANSAS',
  'KENTUCKY',
  'LOUISIANA',
  'MAINE',
  'MARYLAND',
  'MASSACHUSETTS',
  'MICHIGAN',
  'MINNESOTA',
  'MISSISSIPPI',
  'MISSOURI',
  'MONTANA',
  'NEBRASKA',
  'NEVADA',
  'HAMPSHIRE',
  'JERSEY',
  'MEXICO',
  'YORK',
  'NORTH',
  'SOUTH',
  'WEST',
  'CAROLINA',
  'DAKOTA',
  'OHIO',
  'OKLAHOMA',
  'OREGON',
  'PENNSYLVANIA',
  'RHODE',
  'ISLAND',
  'TENNESSEE',
  'TEXAS',
  'UTAH',
  'VERMONT',
  'VIRGINIA',
  'WASHINGTON',
  'WISCONSIN',
  'WYOMING',
  'COLUMBIA',
  'DISTRICT',
  'PUERTO',
  'RICO',
  'ONTARIO',
  'QUEBEC',
  'ALBERTA',
  // Words of state slogans.
  'SUNSHINE',
  'STATE',
  'LAND',
  'LINCOLN',
  'EMPIRE',
  'GARDEN',
  'GRAND',
  'CANYON',
  'GREAT',
  'LAKES',
  'PURE',
  'LONE',
  'STAR',
  'FIRST',
  'FREE',
  'FAMOUS',
  'POTATOES',
  'BEEHIVE',
  'GREATEST',
  'SNOW',
  'EARTH',
  'VOLUNTEER',
  'PEACH',
  'PALMETTO',
  'PARADISE',
  'ALOHA',
  'COUNTRY',
  'HEART',
  'DIXIE',
  'ENCHANTMENT',
  'DISCOVER',
  'CENTENNIAL',
  'RUSHMORE',
  'KEYSTONE',
  'SPIRIT',
  'AMERICA',
  'VACATIONLAND',
  'NATURALLY',
  'EXPLORE',
  'WILD',
  'WONDERFUL',
  'TREASURE',
  'SPORTSMANS',
  'HERITAGE',
  'BIRTHPLACE',
  'AVIATION',
  'FLIGHT',
  'OCEAN',
  'CROSSROADS',
  // Plate classes, frames and stickers.
  'POLICE',
  'TAXI',
  'DEALER',
  'COUNTY',
  'MOTORS',
  'AUTOS',
  'SALES',
  'EXPIRES',
  'REGISTRATION',
  'PASSENGER',
  'COMMERCIAL',
  'TRAILER',
  'TEMPORARY',
  'VETERAN',
  // Car makes on the boot lid.
  'TOYOTA',
  'HONDA',
  'NISSAN',
  'CHEVROLET',
  'DODGE',
  'LEXUS',
  'ACURA',
  'SUBARU',
  'MAZDA',
  'HYUNDAI',
  'VOLKSWAGEN',
  'MERCEDES',
  'CADILLAC',
  'CHRYSLER',
  'INFINITI',
  'PORSCHE',
  'RENAULT',
  'PEUGEOT',
  'CITROEN',
  'SKODA',
  'MITSUBISHI',
  'SUZUKI',
];

/** Words this long are found inside a longer text too (`MYFLORIDACOM`); shorter ones only whole. */
const LONG_WORD = 7;
/** Digits that a recogniser gives for letters in a word (`L1NCOLN`). */
const AS_LETTER: Readonly<Record<string, string>> = {
  '0': 'O',
  '1': 'I',
  '2': 'Z',
  '4': 'A',
  '5': 'S',
  '6': 'G',
  '7': 'T',
  '8': 'B',
};

/**
 * Is a reading one of the words printed around plates, or a piece of one (`LORIDA` from a clipped
 * `FLORIDA`), or does it hold a long one, or is it a long one with one character misread (`FLORLDA`)?
 * Digits count as their look-alike letters. A plate that holds a short word (`GRANDMA`) is kept.
 */
export function isNotPlateText(text: string): boolean {
  const letters = [...text].map((c) => AS_LETTER[c] ?? c).join('');
  const minPiece = letters === text ? 4 : 5;
  return NOT_PLATE_WORDS.some(
    (w) =>
      (w.length >= LONG_WORD && (letters.includes(w) || withinOneEdit(letters, w))) ||
      (letters.length >= minPiece && w.includes(letters)),
  );
}

/** Are two strings equal but for one character inserted, deleted or changed? */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) {
    return false;
  }
  let i = 0;
  while (i < a.length && a[i] === b[i]) {
    i++;
  }
  const tail = (x: string, y: string): boolean => x.slice(i + 1) === y.slice(i + 1);
  if (a.length === b.length) {
    return tail(a, b);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * A reading that fits a layout as read, digits where the layout wants them (`AL 485 MA`), is a
 * plate: digits are taken as look-alike letters only to catch words (`L1NCOLN`), and would turn
 * such plates into words (`AL485MA` -> `ALABSMA`, one letter from `ALABAMA`).
 */
function plateAsRead(r: Interpretation): boolean {
  return r.layout !== null && r.corrections === 0 && /\d/.test(r.text);
}

/** A free reading (no layout) must look like a plate: at most 8 characters and not a word printed around plates. */
function acceptable(r: Interpretation): boolean {
  if (!plateAsRead(r) && isNotPlateText(r.text)) {
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
    // A line that reads as a slogan or a state name as a whole is dropped, not mined for a plate.
    const raw = line.chars.map((c) => c.char).join('');
    const readings = interpretLine(line.chars);
    const wholeLinePlate = readings.some((r) => r.text === raw && plateAsRead(r));
    if (!wholeLinePlate && isNotPlateText(raw)) {
      continue;
    }
    const best = readings.find(acceptable);
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
