// The configuration schema's validator as JavaScript source (a CommonJS module): Ajv's standalone
// code of the validator sim/config.ts compiles, with the same options. scripts/build.mjs writes it
// to dist/sim/config-validate.cjs, which the compiled sim/config.js loads instead of compiling.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The source of a CommonJS module exporting the validator of `schema` made with Ajv `options`. */
export function validatorCode(schema, options) {
  const { Ajv } = require('ajv');
  const standaloneCode = require('ajv/dist/standalone').default;
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true } });
  return standaloneCode(ajv, ajv.compile(schema));
}
