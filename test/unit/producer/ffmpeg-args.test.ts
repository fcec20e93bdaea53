import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cameraInputOptions,
  cameraReconnectDelayMs,
} from '../../../src/producer/sources/camera-source.js';
import {
  buildFfmpegArgs,
  mjpegQscale,
  resolveFfmpeg,
} from '../../../src/producer/sources/ffmpeg.js';

describe('ffmpeg command line', () => {
  it('asks for MJPEG on stdout, scaled to the frame size', () => {
    const args = buildFfmpegArgs({ input: 'in.mp4', width: 640, height: 480, quality: 80 });
    assert.deepEqual(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2), ['-i', 'in.mp4']);
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(at('-f'), 'image2pipe');
    assert.equal(at('-vcodec'), 'mjpeg');
    assert.equal(at('-vf'), 'scale=640:480');
    assert.equal(at('-q:v'), String(mjpegQscale(80)));
    assert.equal(args.at(-1), '-');
    assert.ok(!args.includes('-stream_loop'));
  });

  it('loops the input and caps the rate in ffmpeg when asked', () => {
    const args = buildFfmpegArgs({
      input: '/dev/video0',
      width: 320,
      height: 240,
      quality: 50,
      fps: 15,
      loop: true,
      inputOptions: ['-f', 'v4l2'],
    });
    assert.ok(args.indexOf('-stream_loop') < args.indexOf('-i'));
    assert.ok(args.indexOf('v4l2') < args.indexOf('-i'));
    assert.equal(args[args.indexOf('-vf') + 1], 'fps=15,scale=320:240');
  });

  it('maps JPEG quality to qscale, best quality to the lowest scale', () => {
    assert.equal(mjpegQscale(100), 2);
    assert.equal(mjpegQscale(1), 31);
    assert.ok(mjpegQscale(80) < mjpegQscale(40));
  });

  it('reads cameras with the right input options', () => {
    assert.deepEqual(cameraInputOptions('/dev/video0', 'linux'), ['-f', 'v4l2']);
    assert.deepEqual(cameraInputOptions('rtsp://cam/1'), ['-rtsp_transport', 'tcp']);
    assert.deepEqual(cameraInputOptions('http://cam/mjpeg'), []);
  });

  it('backs off camera reconnects up to 10 s', () => {
    assert.equal(
      cameraReconnectDelayMs(0, () => 1),
      250,
    );
    assert.equal(
      cameraReconnectDelayMs(3, () => 1),
      2000,
    );
    assert.equal(
      cameraReconnectDelayMs(20, () => 1),
      10_000,
    );
    assert.equal(
      cameraReconnectDelayMs(5, () => 0),
      50,
    );
  });

  it('raises SourceError when ffmpeg is neither on PATH nor installed as a package', async () => {
    await assert.rejects(resolveFfmpeg({ PATH: '/nonexistent' }), { code: 'FRAMEPIPE_ERR_SOURCE' });
  });
});
