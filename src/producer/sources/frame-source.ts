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

/** framepipe_frames_refused_total reasons a source reports: gone/unreadable file, or not an image. */
export type UnreadableReason = 'unreadable' | 'decode_error';

/**
 * An input the source found but could not read (a corrupt file in a folder). The producer
 * refuses and counts it, then goes on: one bad file must not end a whole import.
 */
export interface UnreadableInput {
  readonly unreadable: {
    readonly reason: UnreadableReason;
    /** What could not be read, e.g. the file's path. */
    readonly input: string;
    readonly err: unknown;
  };
}

export type SourceItem = RawFrame | UnreadableInput;

export function isUnreadable(item: SourceItem): item is UnreadableInput {
  return 'unreadable' in item;
}

/** Sources that can skip bad inputs yield SourceItem; the others only RawFrame. */
export interface FrameSource<Item extends SourceItem = RawFrame> extends AsyncIterable<Item> {
  /**
   * Checks the input (path, ffmpeg) before the producer registers anything in Redis, so a
   * bad start leaves no ghost source; throws ConfigError or SourceError.
   */
  check?(): Promise<void>;
  /** Stops the source (kills ffmpeg, ends iteration); idempotent. */
  close(): Promise<void>;
}
