/**
 * V8 flags every framepipe process starts with: bin/framepipe.js (its shebang), the
 * Dockerfile's ENTRYPOINT, `npm start`, and every process of the bench (so each system runs
 * under the same runtime). test/unit/deploy/node-flags.test.ts keeps those places in step.
 *
 * --initial-old-space-size=128: a worker allocates little on the JS heap but hands sharp's
 * decoded pixels (921 KB per 640x480 frame) through array buffers; with V8's defaults the old
 * generation's limit stays just above the small live heap, so V8 kept starting mark-compacts:
 * 30-40 per 1200 `stats` frames at 8 x 30 fps, each pausing the event loop 3-7 ms. 64 MB of
 * initial room left ~14, 128 MB none (1 at 8 x 52 fps); the 8 x 30 fps p99 went from 20-35 to
 * 14-17 ms (docs/performance.md). Peak RSS moved within the noise (219-244 MB).
 * The flag is refused in NODE_OPTIONS, hence a flag on the command line.
 */
export const NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
