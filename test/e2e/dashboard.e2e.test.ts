import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import { deepFreeze } from '../../src/core/config/load.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { PROJECT_ROOT } from '../../src/core/version.js';
import { captureHealth } from '../../src/device/capture-health.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { oneExamScript } from '../helpers/one-exam-script.js';
import { silentLogger } from '../helpers/silent-logger.js';

const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');
const TOKEN = 'e2e-dashboard-token-0123456789';

let daemon: Daemon | null = null;
let browser: Browser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await daemon?.stop();
  daemon = null;
});

// The real engine runs onnxruntime in a worker thread, which loads the compiled worker from dist/.
beforeAll(() => ensureBuilt(), 120_000);

describe('the dashboard in headless Chromium', () => {
  it('shows an exam start, its progress and its result from the running daemon (phantom source, real model)', async () => {
    daemon = createDaemon({
      config: deepFreeze(
        Value.Default(ConfigSchema, {
          device: { id: 'cart-e2e' },
          state: { dir: mkdtempSync(join(tmpdir(), 'myo-e2e-')) },
          api: { port: 0, auth: { tokens: [{ name: 'e2e', token: TOKEN }] } },
          mqtt: { embedded: { port: 0 } },
          display: { logEmulator: false },
          capture: { phantom: { width: 960, height: 540 } },
        }) as Config,
      ),
      logger: silentLogger(),
      examStore: new MemoryExamStore(),
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: oneExamScript(30) }),
    });
    await daemon.start(new AbortController().signal);
    const base = `http://127.0.0.1:${daemon.apiAddress()?.port ?? 0}`;

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${base}/`);
    // The device asks for a token (none is configured in the page yet).
    await page.locator('#login').waitFor({ state: 'visible', timeout: 10_000 });
    await page.fill('#token', TOKEN);
    await page.click('#login button');

    await page.locator('#exam-phase[data-phase="scanning"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.textContent('#exam-progress'), { timeout: 10_000 }).toMatch(/usable of \d+ frames/);
    await page.locator('#exam-phase[data-phase="result"]').waitFor({ timeout: 20_000 });
    expect(await page.textContent('#exam-result')).toMatch(/REFER|No invasion|Inconclusive/);
    await expect.poll(() => page.locator('#exams tr').count(), { timeout: 5000 }).toBe(1);
    expect(await page.textContent('#fps')).toMatch(/^\d+\.\d$/);
    expect(await page.textContent('#latency')).toMatch(/ms$/);
    // The capture check in colour, as the daemon judges it (after the exam the phantom's idle screen may turn
    // `frozen`, i.e. degraded): health reaches the page every 5 s and on change, so poll until the two agree.
    await expect
      .poll(async () => {
        const shown = await page.locator('#checks li[data-part="capture"] .dot').getAttribute('class');
        return shown === `dot ${captureHealth(daemon!.capture.stats()).status}`;
      }, { timeout: 15_000 })
      .toBe(true);
    expect(await page.textContent('#model-active')).toContain('myoscreen-lsnet');
    await expect.poll(() => page.$eval('#frame', (img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 5000 }).toBe(128);
    await expect.poll(() => page.$eval('#display', (img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 5000 }).toBe(480);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard-e2e.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(failures).toEqual([]);
  }, 60_000);
});
