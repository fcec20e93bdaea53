import type { z } from 'zod';

/** Codes of the API's `{ error: { code, message } }` bodies (docs/api.md). */
export type ApiErrorCode =
  | 'FRAMEPIPE_ERR_BAD_REQUEST'
  | 'FRAMEPIPE_ERR_NOT_FOUND'
  | 'FRAMEPIPE_ERR_FRAME_GONE'
  | 'FRAMEPIPE_ERR_INTERNAL';

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

/** An error with an HTTP status, thrown by handlers and turned into a JSON body. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function notFound(
  message: string,
  code: ApiErrorCode = 'FRAMEPIPE_ERR_NOT_FOUND',
): ApiError {
  return new ApiError(404, code, message);
}

/** Validates one part of a request; a failure names the field: `query.limit: Too big`. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: 'params' | 'query',
): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((i) => `${[part, ...i.path.map(String)].join('.')}: ${i.message}`)
      .join('; ');
    throw new ApiError(400, 'FRAMEPIPE_ERR_BAD_REQUEST', message);
  }
  return parsed.data;
}
