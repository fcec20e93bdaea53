/** How long to poll, and how often. A number is the timeout in ms. */
export type WaitOptions = number | { readonly timeoutMs?: number; readonly intervalMs?: number };

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_INTERVAL_MS = 20;

/**
 * Polls `read` until `ok(value)` holds and returns that value. After the timeout it fails naming
 * `what` and the last value read. An error thrown by `read` or `ok` fails at once.
 */
export function waitForValue<T>(
  what: string,
  read: () => T | Promise<T>,
  ok: (value: T) => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<T> {
  return poll(what, read, ok, options, (value) => `; last value: ${preview(value)}`);
}

/** Polls `check` until it returns true; after the timeout it fails naming `what`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  await poll(
    what,
    check,
    (done) => done,
    options,
    () => '',
  );
}

async function poll<T>(
  what: string,
  read: () => T | Promise<T>,
  ok: (value: T) => boolean | Promise<boolean>,
  options: WaitOptions,
  lastValue: (value: T) => string,
): Promise<T> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = DEFAULT_INTERVAL_MS } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (await ok(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastValue(value)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
