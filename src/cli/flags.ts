import { Option, type Command } from 'commander';

/** Flags shared by commands; each maps to a config option in app/flags-to-config.ts. */
export function redisFlags(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'JSON config file (defaults < file < env < flags)')
    .option('--redis-url <url>', 'redis:// or rediss:// URL (env REDIS_URL)')
    .option('--redis-host <host>', 'Redis host')
    .option('--redis-port <port>', 'Redis port')
    .option('--redis-socket <path>', "unix socket of a Redis on this machine (Redis's unixsocket)")
    .option('--prefix <prefix>', 'key prefix')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('--metrics-port <port>', 'serve /metrics, /healthz, /readyz on this port');
}

export function producerFlags(cmd: Command): Command {
  return cmd
    .option('--source <id>', 'source id (names the streams)')
    .option('--kind <kind>', 'synthetic | folder | video | camera')
    .option('--path <path>', 'image folder, video file or camera device')
    .option('--loop', 'replay the folder or video when it ends')
    .option('--seed <n>', 'seed of the synthetic source')
    .option('--frames <n>', 'stop after n frames (0: no limit)')
    .option('--fps <n>', 'frame rate cap (0: none)')
    .option('--width <px>', 'frame width')
    .option('--height <px>', 'frame height')
    .option('--quality <q>', 'JPEG quality 1-100')
    .option('--scene <scene>', 'synthetic source: pattern | plates')
    .option('--policy <policy>', 'backpressure: block | drop-oldest')
    .option('--max-len <n>', 'stream MAXLEN ~')
    .option('--max-backlog <n>', 'block policy: unread + pending bound')
    .option('--max-frame-bytes <n>', 'refuse larger frames');
}

export function workerFlags(cmd: Command): Command {
  return cmd
    .option('--group <name>', 'consumer group')
    .option('--consumer <name>', 'consumer name (default hostname-pid)')
    .option('--sources <ids>', 'comma-separated source ids (default: all)')
    .option('--processor <name|path>', 'plate | stats | thumbnail | noop | ./module.js')
    .option('--threads <n>', 'Piscina pool threads')
    .option('--max-in-flight <n>', 'frames processed at once')
    .option('--block-ms <ms>', 'XREADGROUP BLOCK')
    .option('--claim-idle-ms <ms>', 'reclaim entries idle longer than this')
    .option('--max-deliveries <n>', 'deliveries before dead-lettering')
    .option('--process-timeout-ms <ms>', 'a frame still processing after this fails (retried)')
    .option('--thumbnail-dir <dir>', 'output folder of the thumbnail processor');
}
