import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, listEnvKeys, loadConfig } from '../../src/core/config/index.js';
import { MyoError } from '../../src/core/errors.js';

function writeConfig(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'myo-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, content);
  return file;
}

function loadError(options: Parameters<typeof loadConfig>[0]): MyoError {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof MyoError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('config', () => {
  it('gives the embedded defaults with no file and no environment', () => {
    const { config } = loadConfig();
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8080, auth: { tokens: [] } });
    expect(config.capture.source).toBe('phantom');
    expect(config.state.dir).toBe('./var');
    expect(config.capture.phantom.width).toBe(1920);
  });

  it('is frozen all the way down', () => {
    const { config } = loadConfig();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.capture.signal)).toBe(true);
    expect(() => {
      (config.api as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('merges a file over the defaults', () => {
    const file = writeConfig(JSON.stringify({ api: { port: 9090 }, capture: { fps: 25 } }));
    const { config } = loadConfig({ file });
    expect(config.api.port).toBe(9090);
    expect(config.api.host).toBe('127.0.0.1');
    expect(config.capture.fps).toBe(25);
  });

  it('lets the environment override any key by its path', () => {
    const file = writeConfig(JSON.stringify({ api: { port: 9090 } }));
    const { config, envOverrides } = loadConfig({
      file,
      env: {
        MYOSCREEN_API_PORT: '7000',
        MYOSCREEN_DEVICE_ID: 'cart-17',
        MYOSCREEN_CAPTURE_SOURCE: 'v4l2',
        MYOSCREEN_CAPTURE_SIGNAL_NO_SIGNAL_TIMEOUT_MS: '900',
        MYOSCREEN_CAPTURE_FILE_LOOP: 'false',
        MYOSCREEN_CAPTURE_V4L2_COMMAND: '["ffmpeg","-i","x"]',
        MYOSCREEN_STATE_DIR: '/var/lib/myoscreen',
        UNRELATED: 'x',
      },
    });
    expect(config.api.port).toBe(7000);
    expect(config.device.id).toBe('cart-17');
    expect(config.capture.source).toBe('v4l2');
    expect(config.capture.signal.noSignalTimeoutMs).toBe(900);
    expect(config.capture.file.loop).toBe(false);
    expect(config.capture.v4l2.command).toEqual(['ffmpeg', '-i', 'x']);
    expect(config.state.dir).toBe('/var/lib/myoscreen');
    expect(envOverrides).toContain('api.port');
  });

  it('names the conventional environment variables', () => {
    const names = new Map(listEnvKeys(ConfigSchema).map((key) => [key.path, key.name]));
    expect(names.get('api.port')).toBe('MYOSCREEN_API_PORT');
    expect(names.get('device.id')).toBe('MYOSCREEN_DEVICE_ID');
    expect(names.get('capture.source')).toBe('MYOSCREEN_CAPTURE_SOURCE');
    expect(names.get('state.dir')).toBe('MYOSCREEN_STATE_DIR');
  });

  it('refuses a wrong type with the key path and the reason', () => {
    const error = loadError({ file: writeConfig(JSON.stringify({ api: { port: 'eighty' } })) });
    expect(error.code).toBe('MYO_ERR_CONFIG_INVALID');
    expect(error.message).toContain('api.port');
    expect(error.message).toMatch(/integer/i);
  });

  it('refuses out-of-range values', () => {
    const error = loadError({ file: writeConfig(JSON.stringify({ api: { port: 70000 } })) });
    expect(error.message).toContain('api.port');
    expect(error.message).toMatch(/65535/);
  });

  it('refuses unknown keys, naming them (typos are errors)', () => {
    const error = loadError({ file: writeConfig(JSON.stringify({ capture: { fsp: 30 } })) });
    expect(error.code).toBe('MYO_ERR_CONFIG_INVALID');
    expect(error.message).toContain('capture.fsp');
    expect(error.message).toContain('unknown key');
  });

  it('refuses an enum value it does not know', () => {
    const error = loadError({ file: writeConfig(JSON.stringify({ capture: { source: 'webcam' } })) });
    expect(error.message).toContain('capture.source');
  });

  it('applies cross-key rules', () => {
    const error = loadError({ file: writeConfig(JSON.stringify({ capture: { roi: { mode: 'manual' } } })) });
    expect(error.message).toContain('capture.roi.rect');
    const fileError = loadError({ env: { MYOSCREEN_CAPTURE_SOURCE: 'file' } });
    expect(fileError.message).toContain('capture.file.path');
  });

  it('refuses a file that is not JSON, or not an object, or missing', () => {
    expect(loadError({ file: writeConfig('{ api: ') }).code).toBe('MYO_ERR_CONFIG_UNREADABLE');
    expect(loadError({ file: writeConfig('[1,2]') }).code).toBe('MYO_ERR_CONFIG_INVALID');
    expect(loadError({ file: '/nonexistent/myoscreen.json' }).code).toBe('MYO_ERR_CONFIG_UNREADABLE');
  });

  it('refuses a malformed environment value with the variable name', () => {
    const error = loadError({ env: { MYOSCREEN_API_PORT: 'abc' } });
    expect(error.code).toBe('MYO_ERR_CONFIG_INVALID');
    expect(error.message).toContain('MYOSCREEN_API_PORT');
    expect(loadError({ env: { MYOSCREEN_CAPTURE_FILE_LOOP: 'maybe' } }).message).toContain('true or false');
  });

  it('lists every problem at once', () => {
    const error = loadError({ file: writeConfig(JSON.stringify({ api: { port: -1 }, capture: { fps: 0 } })) });
    const issues = error.details.issues as { path: string }[];
    expect(issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['api.port', 'capture.fps']));
  });
});
