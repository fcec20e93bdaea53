import { z } from 'zod';

/**
 * Commands on `{prefix}:command_queue`, as JSON. Today there is one kind, recording on/off:
 * `{"recording": true, "sources": ["cam1"]}`. Unknown fields are refused, so a typo is
 * rejected with a reason instead of being half-applied.
 */
export const CommandSchema = z.strictObject({
  recording: z.boolean().describe('turn recording on or off'),
  sources: z
    .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'bad source id'))
    .optional()
    .describe('sources to record (absent or empty: every source)'),
  id: z.string().max(128).optional().describe('caller-chosen id, echoed in logs'),
});

export type Command = z.infer<typeof CommandSchema>;

export type ParsedCommand =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly reason: string };

/** Pure: the raw list element to a command, or the reason it is refused. */
export function parseCommand(raw: string): ParsedCommand {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = CommandSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(command)'}: ${i.message}`)
      .join('; ');
    return { ok: false, reason };
  }
  return { ok: true, command: parsed.data };
}
