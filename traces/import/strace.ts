/**
 * Importer of strace traces: not implemented yet (null until it is).
 */
import type { Importer } from './importer.ts';

export const straceImporter: Importer | null = null;
