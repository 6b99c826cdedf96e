/**
 * index.html in a real browser: Debian's Chromium, headless, driven by
 * playwright-core. Every chart must draw an SVG with data marks at the size
 * the report computed, with no console error and no network request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { resolveConfig } from '../sim/config.ts';
import { runTrace } from '../scripts/run.ts';
import { makeReport } from '../reports/report.ts';
import { THEMES } from '../reports/theme.ts';

const CHROMIUM = '/usr/bin/chromium';
const DEMO = resolve(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv');

let base: string;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser test needs Debian's chromium (apt-get install chromium; scripts/ensure-tools.sh installs it before npm test)`);
  }
  base = mkdtempSync(join(tmpdir(), 'syncsim-browser-'));
  // two configurations, so that legends and colours are exercised
  for (const [name, personality] of [['freebsd', 'freebsd'], ['linux', 'linux']]) {
    await runTrace({ trace: DEMO, config: resolveConfig({ personality }), out: join(base, 'runs', name) });
  }
  browser = await chromium.launchPersistentContext(join(base, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('index.html in headless Chromium', () => {
  for (const theme of ['paper', 'screen'] as const) {
    it(`draws every chart with marks, no console error, no network (${theme} theme)`, async () => {
      const out = join(base, `report-${theme}`);
      const report = await makeReport({ dir: join(base, 'runs'), out, formats: ['html'], theme: THEMES[theme], width: THEMES[theme].widths.single });
      const page = await browser!.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(report.index!).href);
      await page.waitForFunction(() => (window as unknown as { __syncsimReport?: { done: boolean } }).__syncsimReport?.done === true, null, { timeout: 30_000 });
      const status = await page.evaluate(() => (window as unknown as { __syncsimReport: { total: number; rendered: number; errors: string[] } }).__syncsimReport);
      expect(status.errors).toEqual([]);
      expect(status.total).toBe(report.charts.length);
      expect(status.rendered).toBe(report.charts.length);
      expect(report.charts.map((c) => c.name)).toEqual(['latency-cdf', 'latency-percentiles', 'writeback-by-cause', 'timeline', 'latency-vs-pages']);
      for (const c of report.charts) {
        const found = await page.evaluate((name) => {
          const svg = document.querySelector(`#chart-${name} svg`);
          if (!svg) return null;
          const marks = svg.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark rect').length;
          return { marks, width: Number(svg.getAttribute('width')), height: Number(svg.getAttribute('height')) };
        }, c.name);
        expect(found, c.name).not.toBeNull();
        expect(found!.marks, c.name).toBeGreaterThan(0);
        // the browser lays the chart out with the same font as the renderer: the same size
        expect(Math.abs(found!.width - c.width), `${c.name} width`).toBeLessThanOrEqual(1);
        expect(Math.abs(found!.height - c.height), `${c.name} height`).toBeLessThanOrEqual(1);
      }
      // two configurations, two colours in the CDF's lines
      const strokes = await page.evaluate(() => [...document.querySelectorAll('#chart-latency-cdf g.mark-line.role-mark path')].map((p) => p.getAttribute('stroke')));
      expect(new Set(strokes)).toEqual(new Set(['#0072B2', '#D55E00']));
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      const shot = join(base, `report-${theme}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
      await page.close();
      rmSync(out, { recursive: true, force: true });
    }, 60_000);
  }
});
