/**
 * The largest image, in pixels, framepipe decodes from a frame: 50 megapixels (an 8000 x 6000
 * photo; 4K video is 8.3). A frame must pass producer.maxFrameBytes, but bytes bound nothing
 * decoded: a 1.5 MB JPEG of plain colour can be 16000 x 16000, 768 MB as RGB (one plate read
 * of it peaked at 1.2 GB). Past this, sharp refuses the frame before decoding it (poison).
 */
export const MAX_DECODE_PIXELS = 50_000_000;
