/**
 * Importer of blkparse traces: not implemented yet (null until it is).
 */
import type { Importer } from './importer.ts';

export const blkparseImporter: Importer | null = null;
