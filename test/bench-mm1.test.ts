/**
 * The engine benchmark's M/M/1 (bench/mm1.ts) and its floor: the same model
 * with its two pending events in two variables instead of the engine's
 * queue. They must be the same model for the floor to say what the queue
 * costs: the same events, customers and sojourn times, to the nanosecond.
 */
import { describe, expect, it } from 'vitest';
import { runMm1, runMm1Floor } from '../bench/mm1.ts';

describe('bench M/M/1 and its floor without a queue', () => {
  for (const p of [
    { customers: 20_000, rho: 0.8, serviceUs: 100, seed: 1 },
    { customers: 5_000, rho: 0.5, serviceUs: 7, seed: 42 },
    { customers: 3_000, rho: 0.95, serviceUs: 0.001, seed: 3 }, // 1 ns services: many events at equal times
  ]) {
    it(`serve the same customers with the same sojourns (ρ ${p.rho}, ${p.customers} customers, seed ${p.seed})`, () => {
      const e = runMm1(p), f = runMm1Floor(p);
      expect(f.events).toBe(e.events);
      expect(f.events).toBe(2 * p.customers);
      expect(f.meanSojournUs).toBe(e.meanSojournUs);
      expect(e.meanSojournUs).toBeGreaterThan(0);
    });
  }
});
