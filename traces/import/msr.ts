/**
 * Importer of msr traces: not implemented yet (null until it is).
 */
import type { Importer } from './importer.ts';

export const msrImporter: Importer | null = null;
