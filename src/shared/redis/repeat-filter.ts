/**
 * Lets a message through the first time, then the same message again at most once per
 * `everyMs`, saying how many were held back: a Redis that stays down is reported every few
 * seconds by ioredis, and a log of the same line every 2 s hides everything else.
 */
export class RepeatFilter {
  readonly #everyMs: number;
  #last: string | undefined;
  #lastAt = 0;
  #held = 0;

  constructor(everyMs: number) {
    this.#everyMs = everyMs;
  }

  /** Whether to log `message` now, and how many of it were held back since the last one. */
  take(message: string, now: number): { readonly log: boolean; readonly held: number } {
    if (message !== this.#last || now - this.#lastAt >= this.#everyMs) {
      const held = message === this.#last ? this.#held : 0;
      this.#last = message;
      this.#lastAt = now;
      this.#held = 0;
      return { log: true, held };
    }
    this.#held++;
    return { log: false, held: this.#held };
  }
}
