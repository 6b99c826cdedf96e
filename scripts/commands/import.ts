/**
 * `syncsim import`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const importCommand: Command | null = null;
