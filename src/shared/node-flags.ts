/**
 * V8 flags every framepipe process starts with: bin/framepipe.js (its shebang), the
 * Dockerfile's ENTRYPOINT, `npm start`, and every process of the bench (so each system runs
 * under the same runtime). test/unit/deploy/node-flags.test.ts keeps those places in step.
 *
 * --initial-old-space-size=64: a worker allocates little on the JS heap but hands sharp's
 * decoded pixels (921 KB per 640x480 frame) through array buffers; with V8's default the old
 * generation's limit stays just above the small live heap, so V8 kept starting mark-compacts:
 * 30-40 per 1200 `stats` frames, each pausing the event loop 3-7 ms. 64 MB of initial room
 * took them to 0-5 and the 8 x 30 fps p99 from 20-35 to 16-17 ms (docs/performance.md).
 * The flag is refused in NODE_OPTIONS, hence a flag on the command line.
 */
export const NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
