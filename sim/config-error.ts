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
