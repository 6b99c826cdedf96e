/**
 * `syncsim report`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const reportCommand: Command | null = null;
