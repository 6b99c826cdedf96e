/**
 * The report's "Key settings" table names what decides much of an msync's time or writeback
 * without the user choosing it (a new user's finding, 2026-12-07): the CPU costs charged (the
 * defaults are measured on a Linux VM and charged to every personality) and page-in with its
 * read-ahead (and, under linux, the folio order that sets how much a dirty folio writes back).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { cpuCostsText, measuredCpuDefaults } from '../sim/cpu-costs.ts';
import { cpuText, keySettings, pageinText } from '../reports/data.ts';
import type { Summary } from '../sim/stats/summary.ts';

describe('the key settings of a run', () => {
  it('give the CPU costs charged (the report\'s words) and, for the run table, where they come from: the measured defaults, the user\'s, or none', () => {
    const d = measuredCpuDefaults();
    expect(cpuText(resolveConfig({}).cpu)).toBe(`msync cleans a page in ${d.clean_page_us.toFixed(2)} µs, a first store faults one in ${d.fault_page_us.toFixed(2)} µs, a call ${d.syscall_us.toFixed(2)} µs (cpu.*; the defaults were measured on a Linux VM and are charged to every personality: docs/configuration.md, "CPU costs")`);
    expect(cpuText(resolveConfig({ device: { profile: 'queue' } }).cpu)).toBe('none');
    expect(cpuCostsText(resolveConfig({}).cpu)).toBe(`defaults measured on a Linux VM (msync cleans a page in ${measuredCpuDefaults().clean_page_us.toFixed(2)} µs of CPU)`);
    expect(cpuCostsText(resolveConfig({ cpu: { clean_page_us: 1 } }).cpu)).toBe('as configured (msync cleans a page in 1.00 µs of CPU)');
    expect(cpuCostsText(resolveConfig({ device: { profile: 'queue' } }).cpu)).toBe('no CPU costs');
  });

  it('say whether page-in runs, its read-ahead, and under linux the largest folio order', () => {
    expect(pageinText(resolveConfig({ personality: 'linux' }))).toMatch(/^on, read-ahead \d+ pages, folios up to order 9$/);
    expect(pageinText(resolveConfig({ personality: 'linux', readahead: { max_folio_order: 0 } }))).toMatch(/, folios up to order 0$/);
    expect(pageinText(resolveConfig({ personality: 'freebsd' }))).toMatch(/^on, read-ahead \d+ pages$/);
    expect(pageinText(resolveConfig({ pagein: false }))).toBe('off');
  });

  it('are rows of the table, after memory.pages', () => {
    const config = resolveConfig({ personality: 'linux' });
    const s = { trace: { path: 't.csv', rows: 1 }, config, sim_time_us: 1, sync: { count: 0, ok: 0 } } as unknown as Summary;
    const rows = keySettings(s);
    const keys = rows.map(([k]) => k);
    expect(keys.slice(keys.indexOf('memory.pages'), keys.indexOf('memory.pages') + 3)).toEqual(['memory.pages', 'cpu', 'page-in']);
    expect(rows.find(([k]) => k === 'cpu')![1]).toBe(cpuText(config.cpu));
  });
});
