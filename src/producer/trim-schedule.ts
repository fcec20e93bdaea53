/**
 * When the producer asks Redis to trim its frames stream: with the first batch (earlier runs
 * may have left more than maxLen), then once `slack` entries were written since the last trim.
 * Where to trim is the TRIM script's to find (publish-batch.ts), from marks it keeps in Redis,
 * so nothing here depends on how long this producer has run.
 */
export class TrimSchedule {
  readonly #slack: number;
  #sinceTrim: number;

  constructor(slack: number) {
    this.#slack = Math.max(1, slack);
    this.#sinceTrim = this.#slack;
  }

  /** Entries were written to the stream. */
  added(count: number): void {
    this.#sinceTrim += count;
  }

  due(): boolean {
    return this.#sinceTrim >= this.#slack;
  }

  /** Redis applied a trim. */
  trimmed(): void {
    this.#sinceTrim = 0;
  }
}
