export interface WorkerStats {
  processed: number;
  failed: number;
  deadLettered: number;
  dropped: number;
  reclaimed: number;
  inFlight: number;
  /** Settles that found the entry already settled by a peer (a duplicate delivery). */
  duplicates: number;
}

export function emptyStats(): WorkerStats {
  return {
    processed: 0,
    failed: 0,
    deadLettered: 0,
    dropped: 0,
    reclaimed: 0,
    inFlight: 0,
    duplicates: 0,
  };
}
