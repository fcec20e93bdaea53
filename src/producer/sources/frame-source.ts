/**
 * Where frames come from. A source yields images in capture order and knows nothing of
 * Redis; the producer stamps, encodes, ids and publishes them.
 */
export type RawImage =
  | {
      /** Packed 8-bit RGB pixels, width * height * 3 bytes; the producer encodes them. */
      readonly format: 'rgb';
      readonly pixels: Buffer;
    }
  | {
      /** Already a JPEG (ffmpeg's MJPEG output): published as is. */
      readonly format: 'jpeg';
      readonly data: Buffer;
    };

export interface RawFrame {
  readonly width: number;
  readonly height: number;
  readonly image: RawImage;
  /** Free-form JSON stored with the frame (e.g. the synthetic frame number). */
  readonly meta?: unknown;
}

export interface FrameSource extends AsyncIterable<RawFrame> {
  /** Stops the source (kills ffmpeg, ends iteration); idempotent. */
  close(): Promise<void>;
}
