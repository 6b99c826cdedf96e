/**
 * `syncsim inspect`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const inspectCommand: Command | null = null;
