/**
 * Numbered schema migrations, applied in order by migrate(). SQL lives in TypeScript rather
 * than .sql files so `tsc` ships it in dist/ with no copy step. Never edit a released
 * migration: add the next number.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'plate_reads and results',
    // Result entry ids are unique per stream only (two sources can add `1700000000000-0` in
    // the same millisecond), so the idempotency key is (source, result_entry_id).
    sql: `
      CREATE TABLE plate_reads (
        id               bigserial PRIMARY KEY,
        source           text        NOT NULL,
        plate            text        NOT NULL,
        confidence       real        NOT NULL,
        captured_at      timestamptz NOT NULL,
        frame_entry_id   text        NOT NULL,
        result_entry_id  text        NOT NULL,
        bbox             jsonb,
        processor        text        NOT NULL,
        payload          jsonb       NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plate_reads_result_key UNIQUE (source, result_entry_id)
      );
      CREATE INDEX plate_reads_plate_time_idx ON plate_reads (plate, captured_at DESC, id DESC);
      CREATE INDEX plate_reads_time_idx ON plate_reads (captured_at DESC);
      CREATE INDEX plate_reads_source_time_idx ON plate_reads (source, captured_at DESC);

      CREATE TABLE results (
        id               bigserial PRIMARY KEY,
        source           text        NOT NULL,
        frame_entry_id   text        NOT NULL,
        result_entry_id  text        NOT NULL,
        processor        text        NOT NULL,
        captured_at      timestamptz NOT NULL,
        payload          jsonb       NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT results_result_key UNIQUE (source, result_entry_id)
      );
      CREATE INDEX results_source_time_idx ON results (source, captured_at DESC);
      CREATE INDEX results_processor_time_idx ON results (processor, captured_at DESC);
    `,
  },
];
