import { z } from 'zod';
import {
  FrameParams,
  FrameQuery,
  PlateParams,
  PlateQuery,
  SourceParams,
  SourcesQuery,
} from './api-schemas.js';

type JsonSchema = Record<string, unknown>;

/** Request parameters straight from the zod schemas the handlers validate with. */
function parameters(schema: z.ZodObject, where: 'path' | 'query'): JsonSchema[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

const json = (schema: JsonSchema, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = {
  '400': json(ref('Error'), 'invalid input'),
  '404': json(ref('Error'), 'not found'),
};
const obj = (properties: Record<string, JsonSchema>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});
const str = { type: 'string' };
const num = { type: 'number' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const nullable = (s: JsonSchema) => ({ anyOf: [s, { type: 'null' }] });
const groupLag = obj({ name: str, lag: int, lagCounted: bool, pending: int });

const schemas = {
  Error: obj({
    error: obj({ code: { type: 'string', example: 'FRAMEPIPE_ERR_BAD_REQUEST' }, message: str }),
  }),
  Source: obj({
    id: str,
    frames: obj({ length: int, lastId: nullable(str) }),
    results: int,
    dlq: int,
    groups: { type: 'array', items: groupLag },
    resultGroups: { type: 'array', items: groupLag },
    fps: obj({ produced: nullable(num), processed: num, processedCapped: bool, windowS: int }),
  }),
  Result: obj({
    source: str,
    id: { ...str, description: 'entry id in the results stream' },
    frameId: str,
    seq: int,
    processor: str,
    capturedAt: { ...str, format: 'date-time' },
    captureUs: int,
    doneUs: int,
    durationMs: num,
    consumer: str,
    payload: { description: 'what the processor returned' },
  }),
  PlateSighting: obj({
    source: str,
    plate: str,
    confidence: num,
    capturedAt: { ...str, format: 'date-time' },
    capturedUs: int,
    frameEntryId: str,
    resultEntryId: str,
    bbox: nullable(obj({ x: num, y: num, w: num, h: num })),
    frameUrl: str,
  }),
};

/** OpenAPI 3.1 document served at GET /openapi.json. */
export function openApiDocument(version: string): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'framepipe API',
      version,
      description: 'Sources, latest results, plate history and frames.',
    },
    paths: {
      '/sources': {
        get: {
          summary: 'Known sources with stream lengths, consumer lag and frame rates',
          parameters: parameters(SourcesQuery, 'query'),
          responses: {
            '200': json(obj({ sources: { type: 'array', items: ref('Source') } }), 'sources'),
            ...errors,
          },
        },
      },
      '/sources/{id}/latest': {
        get: {
          summary: 'The newest result of a source (x-cache: hit | miss)',
          parameters: parameters(SourceParams, 'path'),
          responses: { '200': json(ref('Result'), 'latest result'), ...errors },
        },
      },
      '/plates/{plate}': {
        get: {
          summary: 'Sightings of a plate, newest first, paginated by cursor',
          parameters: [...parameters(PlateParams, 'path'), ...parameters(PlateQuery, 'query')],
          responses: {
            '200': json(
              obj({
                plate: str,
                items: { type: 'array', items: ref('PlateSighting') },
                nextCursor: nullable(str),
              }),
              'one page of sightings',
            ),
            ...errors,
          },
        },
      },
      '/frames/{entryId}': {
        get: {
          summary: 'The JPEG of a frame, while it is still in the frames stream',
          parameters: [...parameters(FrameParams, 'path'), ...parameters(FrameQuery, 'query')],
          responses: {
            '200': {
              description: 'JPEG bytes',
              content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
            },
            ...errors,
          },
        },
      },
    },
    components: { schemas },
  };
}
