/**
 * Entries this process owns and has not settled, per frames stream: the heartbeat keeps their
 * idle time low so peers do not steal them, the reclaimer skips them, and the read loop keeps
 * their number at most maxInFlight.
 */
export class InFlight {
  readonly #byStream = new Map<string, Set<string>>();
  #size = 0;
  #waiters: (() => void)[] = [];

  get size(): number {
    return this.#size;
  }

  /** False when the entry is already in flight here (a duplicate delivery to this process). */
  add(stream: string, id: string): boolean {
    let ids = this.#byStream.get(stream);
    if (ids === undefined) {
      ids = new Set();
      this.#byStream.set(stream, ids);
    }
    if (ids.has(id)) {
      return false;
    }
    ids.add(id);
    this.#size++;
    return true;
  }

  has(stream: string, id: string): boolean {
    return this.#byStream.get(stream)?.has(id) === true;
  }

  delete(stream: string, id: string): void {
    if (this.#byStream.get(stream)?.delete(id) === true) {
      this.#size--;
      const waiters = this.#waiters;
      this.#waiters = [];
      waiters.forEach((w) => w());
    }
  }

  /** [stream, ids] for every stream with entries in flight. */
  streams(): [string, string[]][] {
    return [...this.#byStream].filter(([, ids]) => ids.size > 0).map(([s, ids]) => [s, [...ids]]);
  }

  /** Resolves once fewer than `max` entries are in flight, or when the signal aborts. */
  async waitBelow(max: number, signal?: AbortSignal): Promise<void> {
    while (this.#size >= max && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.#waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Resolves once nothing is in flight. */
  waitEmpty(): Promise<void> {
    return this.waitBelow(1);
  }
}
