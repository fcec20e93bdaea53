import type { Random } from './seeded-random.js';

/** Layouts drawn by the generator, written as they appear on the plate (L letter, D digit). */
export const SYNTHETIC_LAYOUTS = [
  'LLL DDDD', // ABC 1234: many US states, BR grey plates
  'LLDD LLL', // AB12 CDE: UK
  'DLLLDDD', // 7XYZ123: California
  'LLLDMDD', // ABC1D23: Mercosur (BR), M = A-J
  'LL-DDD-LL', // AB-123-CD: FR, IT
] as const;

// I, O and Q are left out, as most issuing authorities do, so that a layout alone decides 0/O and 1/I.
const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const DIGITS = '0123456789';

export interface PlateText {
  /** As printed, with spaces or dashes, e.g. 'AB12 CDE'. */
  readonly printed: string;
  /** Letters and digits only, e.g. 'AB12CDE': the ground truth. */
  readonly plate: string;
  readonly layout: string;
}

export function randomPlateText(rnd: Random): PlateText {
  const layout = rnd.pick(SYNTHETIC_LAYOUTS);
  let printed = '';
  for (const c of layout) {
    printed +=
      c === 'L'
        ? rnd.pick([...LETTERS])
        : c === 'D'
          ? rnd.pick([...DIGITS])
          : c === 'M'
            ? rnd.pick([...'ABCDEFGHJ'])
            : c;
  }
  return { printed, plate: printed.replace(/[^A-Z0-9]/g, ''), layout };
}
