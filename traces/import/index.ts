/**
 * The importers by `--from` name.
 */
import type { Importer } from './importer.ts';
import { fioIologImporter } from './fio-iolog.ts';
import { blkparseImporter } from './blkparse.ts';
import { msrImporter } from './msr.ts';
import { straceImporter } from './strace.ts';

/** The implemented importers. */
export const IMPORTERS: readonly Importer[] = [fioIologImporter, blkparseImporter, msrImporter, straceImporter].filter((i): i is Importer => i !== null);
