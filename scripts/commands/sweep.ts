/**
 * `syncsim sweep`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const sweepCommand: Command | null = null;
