/**
 * Errors of the command line that are the user's input, not a bug: they are
 * printed as one line and exit with code 2.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
