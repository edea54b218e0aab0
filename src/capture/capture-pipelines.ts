import { gstreamerGray8Stride } from './raw-frame-parser.js';
import type { SubprocessOutput } from './subprocess-source.js';

/** A capture command and the stdout format it produces. */
export interface CapturePipeline {
  readonly argv: readonly string[];
  readonly output: SubprocessOutput;
}

export interface V4l2PipelineOptions {
  readonly device: string;
  readonly inputFormat: 'mjpeg' | 'yuyv' | 'uyvy';
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export type GstDecoder = 'software' | 'nvv4l2decoder' | 'nvjpegdec';

/** Frame rate as a GStreamer fraction: 30 -> 30/1, 29.97 -> 30000/1001 (the NTSC rates), else per mille. */
export function gstFraction(fps: number): string {
  if (Number.isInteger(fps)) return `${fps}/1`;
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(ntsc / 1.001 - fps) < 0.005) return `${ntsc * 1000}/1001`;
  return `${Math.round(fps * 1000)}/1000`;
}

const FFMPEG_QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'] as const;

/** V4L2 pixel formats by ffmpeg's names: UYVY is what a TC358743 bridge delivers. */
const FFMPEG_INPUT_FORMAT = { mjpeg: 'mjpeg', yuyv: 'yuyv422', uyvy: 'uyvy422' } as const;

/** ffmpeg writing Y4M gray: self-describing (`C mono`), so the frame size is checked rather than assumed. */
const FFMPEG_Y4M_GRAY = ['-an', '-f', 'yuv4mpegpipe', '-pix_fmt', 'gray', 'pipe:1'] as const;

/**
 * ffmpeg reading a V4L2 grabber. `-fflags nobuffer` keeps ffmpeg's own latency down; it still asks the driver for
 * many buffers, which is why the reader drains the pipe continuously and keeps only the newest frame.
 */
export function ffmpegV4l2Pipeline(options: V4l2PipelineOptions): CapturePipeline {
  return {
    argv: [
      'ffmpeg',
      ...FFMPEG_QUIET,
      '-fflags',
      'nobuffer',
      '-f',
      'v4l2',
      '-input_format',
      FFMPEG_INPUT_FORMAT[options.inputFormat],
      '-video_size',
      `${options.width}x${options.height}`,
      '-framerate',
      String(options.fps),
      '-i',
      options.device,
      ...FFMPEG_Y4M_GRAY,
    ],
    output: { format: 'y4m' },
  };
}

/**
 * GStreamer reading a V4L2 grabber into raw GRAY8 on stdout. `-q` is required: without it gst-launch prints status
 * text into the same fd. GRAY8 rows are padded to 4 bytes, so the output carries the padded stride. On a Jetson the
 * MJPEG goes through the hardware decoder and nvvidconv converts to GRAY8 in system memory.
 */
export function gstreamerV4l2Pipeline(options: V4l2PipelineOptions & { readonly decoder: GstDecoder }): CapturePipeline {
  const { device, width, height, decoder } = options;
  const rate = gstFraction(options.fps);
  const hardware = decoder !== 'software';
  const convert = hardware ? ['nvvidconv'] : ['videoconvert'];
  let head: string[];
  if (options.inputFormat === 'mjpeg') {
    const decode =
      decoder === 'nvv4l2decoder'
        ? ['jpegparse', '!', 'nvv4l2decoder', 'mjpeg=1']
        : decoder === 'nvjpegdec'
          ? ['jpegparse', '!', 'nvjpegdec']
          : ['jpegparse', '!', 'jpegdec'];
    head = [`image/jpeg,width=${width},height=${height},framerate=${rate}`, '!', ...decode];
  } else {
    const format = options.inputFormat === 'uyvy' ? 'UYVY' : 'YUY2';
    head = [`video/x-raw,format=${format},width=${width},height=${height},framerate=${rate}`];
  }
  return {
    argv: [
      'gst-launch-1.0',
      '-q',
      'v4l2src',
      `device=${device}`,
      'do-timestamp=true',
      '!',
      ...head,
      '!',
      ...convert,
      '!',
      'video/x-raw,format=GRAY8',
      '!',
      'fdsink',
      'fd=1',
      'sync=false',
    ],
    output: { format: 'raw', width, height, stride: gstreamerGray8Stride(width) },
  };
}

/** ffmpeg decoding any video file to Y4M gray; `-re` paces it at the file's own frame rate. */
export function ffmpegFilePipeline(options: { readonly path: string; readonly realtime: boolean }): CapturePipeline {
  return {
    argv: [
      'ffmpeg',
      ...FFMPEG_QUIET,
      ...(options.realtime ? ['-re'] : []),
      '-i',
      options.path,
      '-map',
      '0:v:0',
      ...FFMPEG_Y4M_GRAY,
    ],
    output: { format: 'y4m' },
  };
}

/** A user-supplied argv whose stdout carries Y4M, or raw gray frames of the configured geometry. */
export function customPipeline(options: {
  readonly command: readonly string[];
  readonly output: 'y4m' | 'raw';
  readonly width: number;
  readonly height: number;
  readonly stride: number;
}): CapturePipeline {
  return {
    argv: [...options.command],
    output:
      options.output === 'y4m'
        ? { format: 'y4m' }
        : { format: 'raw', width: options.width, height: options.height, stride: options.stride || options.width },
  };
}

/**
 * A TC358743 HDMI-to-CSI bridge does not follow the source's timings by itself: before each capture attempt the
 * detected timings must be applied (`--set-dv-bt-timings query`), otherwise streaming fails or delivers garbage after
 * a resolution change. The query fails with ENOLINK / ENOLCK while there is no signal or no sync: the wrapper then
 * exits non-zero, so the source reports a disconnect and retries with backoff like an unplugged grabber. v4l2-ctl's
 * own output goes to stderr so it cannot corrupt the frame stream on stdout. The EDID is loaded once at boot
 * (deploy/jetson/myoscreen-tc358743-edid.service): loading it here would make the scanner re-detect the display every time.
 */
export function withDvTimingsQuery(device: string, pipeline: CapturePipeline): CapturePipeline {
  return {
    argv: [
      'sh',
      '-c',
      'v4l2-ctl --device="$1" --set-dv-bt-timings query >&2 || exit 1; shift; exec "$@"',
      'tc358743-capture',
      device,
      ...pipeline.argv,
    ],
    output: pipeline.output,
  };
}
