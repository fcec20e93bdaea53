/** `<ms>-<seq>`, both unsigned 64-bit, as Redis prints a stream entry id. */
const ENTRY_ID = /^(\d{1,20})-(\d{1,20})$/;
const U64_MAX = 2n ** 64n - 1n;

export function isEntryId(text: string): boolean {
  const m = ENTRY_ID.exec(text);
  return m !== null && BigInt(m[1]!) <= U64_MAX && BigInt(m[2]!) <= U64_MAX;
}

/** `a, b,,a` → `['a', 'b']`: trimmed, blanks dropped, first occurrence kept. */
export function splitIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}
