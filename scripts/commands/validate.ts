/**
 * `syncsim validate`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const validateCommand: Command | null = null;
