/**
 * `syncsim gen`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const genCommand: Command | null = null;
