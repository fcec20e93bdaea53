import { formatEntryId, type EntryId } from './entry-id.js';

/**
 * Where to trim the frames stream so it keeps about `maxLen` entries. The producer is the
 * stream's only regular writer (lease), so the oldest of the last maxLen ids it wrote is the
 * trim point: Redis needs no scan of the stream (an XRANGE inside Lua would copy every
 * trimmed frame's bytes). Trimming happens once per `slack` added ids, like MAXLEN ~.
 * Ids are kept as numbers in a ring: 16 bytes per retained entry.
 * After a restart the ring is empty: older entries go with the first trim, once maxLen + slack
 * new ones were written.
 */
export class RetentionWindow {
  readonly #ms: Float64Array;
  readonly #seq: Float64Array;
  readonly #slack: number;
  #written = 0;
  #sinceTrim = 0;

  constructor(maxLen: number, slack: number) {
    this.#ms = new Float64Array(maxLen);
    this.#seq = new Float64Array(maxLen);
    this.#slack = Math.max(1, slack);
  }

  /** An id was written to the stream. */
  add(id: EntryId): void {
    const at = this.#written % this.#ms.length;
    this.#ms[at] = id.ms;
    this.#seq[at] = id.seq;
    this.#written++;
    this.#sinceTrim++;
  }

  /** The id to trim below, when a trim is due: the oldest of the last maxLen written. */
  trimPoint(): string | undefined {
    if (this.#sinceTrim < this.#slack || this.#written < this.#ms.length) {
      return undefined;
    }
    const oldest = this.#written % this.#ms.length;
    return formatEntryId({ ms: this.#ms[oldest]!, seq: this.#seq[oldest]! });
  }

  /** Redis applied a trim at the last trimPoint(). */
  trimmed(): void {
    this.#sinceTrim = 0;
  }
}
