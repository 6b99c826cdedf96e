/**
 * The error of a bad configuration key, apart from the schema (which loads a
 * validator) so that the CLI can recognise it without loading the schema.
 */

/** A configuration error that names the offending key (and, when given, where the key came from). */
export class ConfigError extends Error {
  constructor(readonly key: string, readonly problem: string, readonly where?: string) {
    super(`config: ${where ? `${where}: ` : ''}${key ? `key '${key}': ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}

/** The problem of a key the schema does not know; a suggestion may follow it (`unknown key; did you mean device.channels?`). */
export const UNKNOWN_KEY = 'unknown key';

/**
 * What follows {@link UNKNOWN_KEY} in `problem` (its suggestion, or the empty string), or
 * undefined when `problem` is not that of an unknown key (a key of another `dist`, say).
 */
export function unknownKeyRest(problem: string): string | undefined {
  return problem === UNKNOWN_KEY || problem.startsWith(`${UNKNOWN_KEY}; `) ? problem.slice(UNKNOWN_KEY.length) : undefined;
}
