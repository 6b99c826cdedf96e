/**
 * `syncsim calibrate`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const calibrateCommand: Command | null = null;
