import { formatEntryId, type EntryId } from './entry-id.js';

/**
 * Where to trim the frames stream so it keeps about `maxLen` entries. The producer is the
 * stream's only regular writer (lease), so the oldest of the last maxLen ids it wrote is the
 * trim point: Redis needs no scan of the stream (an XRANGE inside Lua would copy every
 * trimmed frame's bytes). Trimming happens once per `slack` added ids, like MAXLEN ~.
 * Ids are kept as numbers in a ring: 16 bytes per retained entry.
 * After a restart the ring is empty and the stream may hold entries of earlier runs: until
 * maxLen ids were written, the trim point is asked of Redis by position (`byLength`), with
 * the first batch and then once per `slack`, so producers that run shorter than maxLen (a
 * folder import, a crash loop) still keep the stream at maxLen.
 */
export class RetentionWindow {
  readonly #ms: Float64Array;
  readonly #seq: Float64Array;
  readonly #slack: number;
  #written = 0;
  #sinceTrim: number;

  constructor(maxLen: number, slack: number) {
    this.#ms = new Float64Array(maxLen);
    this.#seq = new Float64Array(maxLen);
    this.#slack = Math.max(1, slack);
    this.#sinceTrim = this.#slack; // due with the first batch: earlier runs may have left more
  }

  /** An id was written to the stream. */
  add(id: EntryId): void {
    const at = this.#written % this.#ms.length;
    this.#ms[at] = id.ms;
    this.#seq[at] = id.seq;
    this.#written++;
    this.#sinceTrim++;
  }

  /**
   * When a trim is due: the id to trim below (the oldest of the last maxLen written), or,
   * before maxLen ids were written in this run, a by-length point Redis resolves itself.
   */
  trimPoint(): string | undefined {
    if (this.#sinceTrim < this.#slack) {
      return undefined;
    }
    const maxLen = this.#ms.length;
    if (this.#written < maxLen) {
      return byLengthTrimPoint(maxLen, 2 * this.#slack);
    }
    const oldest = this.#written % maxLen;
    return formatEntryId({ ms: this.#ms[oldest]!, seq: this.#seq[oldest]! });
  }

  /** Redis applied a trim at the last trimPoint(). */
  trimmed(): void {
    this.#sinceTrim = 0;
  }
}

/**
 * Pure: a trim point the TRIM script resolves by position: keep the newest `maxLen` entries,
 * trimming at most `cap` in one call (it reads the trimmed entries to find the point).
 */
export function byLengthTrimPoint(maxLen: number, cap: number): string {
  return `len:${maxLen}:${cap}`;
}
