/**
 * `syncsim convert`: not implemented yet (null until it is).
 */
import type { Command } from './command.ts';

export const convertCommand: Command | null = null;
