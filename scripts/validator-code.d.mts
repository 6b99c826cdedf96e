/** Types of scripts/validator-code.mjs. */
import type { Options } from 'ajv';

/** The source of a CommonJS module exporting the validator of `schema` made with Ajv `options`. */
export function validatorCode(schema: object, options: Readonly<Options>): string;
