import { ConfigError } from '../../shared/errors.js';
import type { Box } from '../ocr/rgb-image.js';

export interface TruthRow {
  readonly file: string;
  /** Normalised plate text: upper case, letters and digits only. */
  readonly plate: string;
  readonly bbox?: Box;
}

/** Upper case, letters and digits only: 'ab-12 cd' → 'AB12CD'. */
export function normalisePlate(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * Parses `file,plate[,x,y,w,h]` rows. A header row (first cell "file") and blank lines are skipped;
 * a file may have several rows (several plates in one photo).
 */
export function parseTruthCsv(text: string): TruthRow[] {
  const rows: TruthRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      return;
    }
    const cells = csvCells(line);
    const [file = '', plate = ''] = cells;
    if (i === 0 && file.toLowerCase() === 'file') {
      return;
    }
    if (file === '' || normalisePlate(plate) === '') {
      throw new ConfigError(`truth CSV line ${i + 1}: expected file,plate[,x,y,w,h]`, [
        { path: `truth:${i + 1}`, message: 'expected file,plate[,x,y,w,h]', value: raw },
      ]);
    }
    const nums = cells.slice(2, 6).map(Number);
    const bbox =
      nums.length === 4 && nums.every((n) => Number.isFinite(n))
        ? { x: nums[0] ?? 0, y: nums[1] ?? 0, w: nums[2] ?? 0, h: nums[3] ?? 0 }
        : undefined;
    rows.push(
      bbox ? { file, plate: normalisePlate(plate), bbox } : { file, plate: normalisePlate(plate) },
    );
  });
  return rows;
}

/**
 * Pure: one CSV line's cells (RFC 4180 quoting: a quoted cell may hold commas, and "" is a quote);
 * unquoted cells are trimmed, quoted ones kept as written. Lines are split before, so a quoted
 * cell cannot hold a line break. Spreadsheets quote a file name that holds a comma.
 */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  const end = (): void => {
    cells.push(wasQuoted ? cell : cell.trim());
    cell = '';
    wasQuoted = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && !wasQuoted && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (c === ',') {
      end();
    } else if (!wasQuoted || c.trim() !== '') {
      cell += c; // after a closing quote only spaces are dropped
    }
  }
  end();
  return cells;
}

/** Rows grouped by file, in first-seen order. */
export function groupByFile(rows: readonly TruthRow[]): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const row of rows) {
    byFile.set(row.file, [...(byFile.get(row.file) ?? []), row.plate]);
  }
  return byFile;
}
