/**
 * Importer of fio-iolog traces: not implemented yet (null until it is).
 */
import type { Importer } from './importer.ts';

export const fioIologImporter: Importer | null = null;
