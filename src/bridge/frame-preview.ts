import sharp from 'sharp';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { decodeFrameEntry } from '../shared/stream-entries.js';
import { envelope, type Envelope } from './envelope.js';
import { MAX_DECODE_PIXELS } from '../shared/decode-limits.js';

export interface FramePayload {
  readonly source: string;
  /** Entry id of the frame in its stream. */
  readonly frame: string;
  readonly seq: number;
  readonly captureUs: number;
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg';
  /** Size of the frame in its stream; result boxes are in these pixels. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** Base64 JPEG. */
  readonly data: string;
}

export interface FramePreviewOptions {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly width: number;
  readonly quality: number;
}

/**
 * Frames for the `frame` channel. Instead of reading every frame (30 fps x 40 KB per camera),
 * each sample fetches only the newest entry with XREVRANGE COUNT 1, so the rate limit also
 * bounds what the bridge reads. Frames are downscaled (never upscaled) and re-encoded.
 */
export class FramePreview {
  readonly #o: FramePreviewOptions;
  readonly #lastSent = new Map<string, string>();

  constructor(options: FramePreviewOptions) {
    this.#o = options;
  }

  async sample(sources: readonly string[]): Promise<Envelope<FramePayload>[]> {
    const out: Envelope<FramePayload>[] = [];
    for (const source of sources) {
      const e = await this.sampleOne(source);
      if (e !== undefined) {
        out.push(e);
      }
    }
    return out;
  }

  /** The newest frame of a source, unless it was sent already. */
  async sampleOne(source: string): Promise<Envelope<FramePayload> | undefined> {
    const stream = sourceKeys(this.#o.prefix, source).frames;
    const [latest] = await this.#o.redis.xrevrangeBuffer(stream, '+', '-', 'COUNT', 1);
    if (latest === undefined) {
      return undefined;
    }
    const id = latest[0].toString();
    if (this.#lastSent.get(source) === id) {
      return undefined;
    }
    this.#lastSent.set(source, id);
    const frame = decodeFrameEntry(id, latest[1]);
    const { data, info } = await sharp(frame.data, { limitInputPixels: MAX_DECODE_PIXELS })
      .resize({ width: this.#o.width, withoutEnlargement: true })
      .jpeg({ quality: this.#o.quality })
      .toBuffer({ resolveWithObject: true });
    return envelope('frame', frame.captureUs, {
      source,
      frame: id,
      seq: frame.seq,
      captureUs: frame.captureUs,
      width: info.width,
      height: info.height,
      format: 'jpeg',
      sourceWidth: frame.width,
      sourceHeight: frame.height,
      data: data.toString('base64'),
    });
  }
}
