import { describe, expect, it } from 'vitest';
import {
  customPipeline,
  ffmpegFilePipeline,
  ffmpegV4l2Pipeline,
  gstFraction,
  gstreamerV4l2Pipeline,
} from '../../src/capture/capture-pipelines.js';

const V4L2 = { device: '/dev/video0', inputFormat: 'mjpeg' as const, width: 1920, height: 1080, fps: 30 };

describe('capture pipelines', () => {
  it('ffmpeg reads V4L2 MJPEG and writes Y4M gray on stdout', () => {
    const { argv, output } = ffmpegV4l2Pipeline(V4L2);
    expect(argv.join(' ')).toBe(
      'ffmpeg -hide_banner -nostdin -loglevel error -fflags nobuffer -f v4l2 -input_format mjpeg -video_size 1920x1080 ' +
        '-framerate 30 -i /dev/video0 -an -f yuv4mpegpipe -pix_fmt gray pipe:1',
    );
    expect(output).toEqual({ format: 'y4m' });
    expect(ffmpegV4l2Pipeline({ ...V4L2, inputFormat: 'yuyv' }).argv).toContain('yuyv422');
  });

  it('GStreamer runs quiet (-q), converts to GRAY8 into fd 1, and declares the padded stride', () => {
    const { argv, output } = gstreamerV4l2Pipeline({ ...V4L2, width: 1366, height: 768, decoder: 'software' });
    expect(argv.slice(0, 2)).toEqual(['gst-launch-1.0', '-q']);
    expect(argv.join(' ')).toBe(
      'gst-launch-1.0 -q v4l2src device=/dev/video0 do-timestamp=true ! image/jpeg,width=1366,height=768,framerate=30/1 ! ' +
        'jpegparse ! jpegdec ! videoconvert ! video/x-raw,format=GRAY8 ! fdsink fd=1 sync=false',
    );
    expect(output).toEqual({ format: 'raw', width: 1366, height: 768, stride: 1368 });
  });

  it('GStreamer on a Jetson decodes MJPEG in hardware and converts with nvvidconv', () => {
    const nv = gstreamerV4l2Pipeline({ ...V4L2, decoder: 'nvv4l2decoder' }).argv.join(' ');
    expect(nv).toContain('! jpegparse ! nvv4l2decoder mjpeg=1 ! nvvidconv ! video/x-raw,format=GRAY8 !');
    const jpeg = gstreamerV4l2Pipeline({ ...V4L2, decoder: 'nvjpegdec' }).argv.join(' ');
    expect(jpeg).toContain('! jpegparse ! nvjpegdec ! nvvidconv !');
  });

  it('GStreamer takes raw YUY2 from a USB 3 grabber without a decoder', () => {
    const argv = gstreamerV4l2Pipeline({ ...V4L2, inputFormat: 'yuyv', fps: 60, decoder: 'software' }).argv.join(' ');
    expect(argv).toContain('v4l2src device=/dev/video0 do-timestamp=true ! video/x-raw,format=YUY2,width=1920,height=1080,framerate=60/1 ! videoconvert !');
    expect(argv).not.toContain('jpeg');
  });

  it('writes frame rates as GStreamer fractions', () => {
    expect(gstFraction(30)).toBe('30/1');
    expect(gstFraction(29.97)).toBe('30000/1001');
    expect(gstFraction(59.94)).toBe('60000/1001');
    expect(gstFraction(12.5)).toBe('12500/1000');
  });

  it('ffmpeg decodes a file to Y4M gray, paced with -re only in realtime', () => {
    expect(ffmpegFilePipeline({ path: '/data/exam.mp4', realtime: true }).argv.join(' ')).toBe(
      'ffmpeg -hide_banner -nostdin -loglevel error -re -i /data/exam.mp4 -map 0:v:0 -an -f yuv4mpegpipe -pix_fmt gray pipe:1',
    );
    expect(ffmpegFilePipeline({ path: 'a.mkv', realtime: false }).argv).not.toContain('-re');
  });

  it('passes a custom argv through with the configured output geometry', () => {
    const command = ['my-grabber', '--gray'];
    expect(customPipeline({ command, output: 'raw', width: 1366, height: 768, stride: 0 })).toEqual({
      argv: command,
      output: { format: 'raw', width: 1366, height: 768, stride: 1366 },
    });
    expect(customPipeline({ command, output: 'raw', width: 1366, height: 768, stride: 1368 }).output).toMatchObject({ stride: 1368 });
    expect(customPipeline({ command, output: 'y4m', width: 1, height: 1, stride: 0 }).output).toEqual({ format: 'y4m' });
  });
});
