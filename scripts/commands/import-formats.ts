/**
 * Which of `syncsim import`'s options each input format (`--from`) takes:
 * one table, {@link FORMAT_OPTIONS}, consulted in one place,
 * {@link checkFormatOptions}, before any option's value is read — so that an
 * option the format does not take is refused as such (exit 2, naming the
 * option and the format), not for its value.
 */
import { INJECTED } from '../../traces/import/options.ts';
import { InputError } from '../errors.ts';

/** An option that only some formats take: which ones, and the refusal of its use with any other. */
export interface FormatRule {
  /** The `--from` formats that take the option. */
  formats: readonly string[];
  /** The message (exit 2) for the option given with `format`, a format that does not take it. */
  misuse: (format: string) => string;
}

/** The refusal of `flag`, an option of the formats whose msyncs syncsim injects, given with `format`. */
const injectedOnly = (flag: string) => (format: string) =>
  `${flag} is for formats whose msyncs syncsim injects (${INJECTED.join(', ')}): an ${format} trace's msyncs are the program's own`;

/**
 * The options of `syncsim import` that only some formats take, by their name
 * without `--`, in the order they are checked. An option not here (--out,
 * --page-size, --seed) is taken by every format (--seed with a note where the
 * import draws nothing: import.ts); --calibration is read only by
 * `--assume-dirty measured` (import.ts refuses it otherwise), and so by strace alone.
 */
export const FORMAT_OPTIONS: Readonly<Record<string, FormatRule>> = {
  // the msyncs of a block trace are syncsim's, injected; an strace trace's are the program's own
  'sync-every-writes': { formats: INJECTED, misuse: injectedOnly('--sync-every-writes') },
  'sync-every-us': { formats: INJECTED, misuse: injectedOnly('--sync-every-us') },
  'sync-flags': { formats: INJECTED, misuse: injectedOnly('--sync-flags') },
  advice: {
    formats: INJECTED,
    misuse: (format) => `--advice is for formats whose mappings syncsim lays out (${INJECTED.join(', ')}): an ${format} trace's mappings are the program's own`,
  },
  'file-size': { formats: ['fio-iolog'], misuse: (format) => `--file-size is for fio-iolog, whose log names files but not their sizes (got --from ${format})` },
  'assume-dirty': {
    formats: ['strace'],
    misuse: (format) => `--assume-dirty is for strace, which cannot see stores to mapped memory (got --from ${format}, whose traces have their writes)`,
  },
};

/**
 * Refuses (an InputError, exit 2) the first option of {@link FORMAT_OPTIONS}
 * given in `values` (the parsed options by name; undefined: not given) that
 * `format` does not take.
 */
export function checkFormatOptions(format: string, values: Readonly<Record<string, unknown>>): void {
  for (const [option, rule] of Object.entries(FORMAT_OPTIONS)) {
    if (values[option] !== undefined && !rule.formats.includes(format)) throw new InputError(rule.misuse(format));
  }
}
