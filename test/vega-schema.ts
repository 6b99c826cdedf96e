/**
 * Vega-Lite's own JSON schema (draft-07), compiled once per test process: whether a spec
 * syncsim wrote is one Vega-Lite accepts as written (no property it does not know).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

let compiled: ValidateFunction | undefined;

/** The validator of Vega-Lite specs; its `errors` tell why the last spec checked was refused. */
export function vegaLiteValidator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json'), 'utf8'));
  if (schema.$schema !== 'http://json-schema.org/draft-07/schema#') throw new Error(`vega-lite's schema is ${schema.$schema}, not draft-07 (Ajv's default class)`);
  compiled = new Ajv({ strict: false, validateFormats: false, inlineRefs: false, code: { optimize: false }, logger: false }).compile(schema);
  return compiled;
}
