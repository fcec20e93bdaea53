import { ConfigError } from '../shared/errors.js';

/**
 * A commander argParser for a whole number from 1 to `max`. It throws a ConfigError, not
 * commander's InvalidArgumentError, so a bad value exits 2 like every other bad option.
 */
export function positiveInt(
  flag: string,
  max = Number.MAX_SAFE_INTEGER,
): (value: string) => number {
  return (value) => {
    // Number() alone would take '1e3', '0x10', ' 7' and '2.0'.
    const n = /^[1-9]\d*$/.test(value) ? Number(value) : Number.NaN;
    if (!(n <= max)) {
      const allowed =
        max === Number.MAX_SAFE_INTEGER ? 'a whole number >= 1' : `a whole number from 1 to ${max}`;
      throw new ConfigError(`${flag}: expected ${allowed} (got ${JSON.stringify(value)})`, [
        { path: flag, message: `expected ${allowed}`, value },
      ]);
    }
    return n;
  };
}
