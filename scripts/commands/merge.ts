/**
 * `syncsim merge`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const mergeCommand: Command | null = null;
