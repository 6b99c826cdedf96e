/**
 * The `--page-size` option of `import` and `inspect`: the page size the
 * trace's addresses are counted in, held to the configuration's rule for
 * `page_size` so that a trace made with it can be replayed.
 */
import { InputError } from '../errors.ts';
import { PAGE_SIZE_RANGE } from '../../sim/config.ts';

/**
 * `v`, the value given to `--page-size`, as a number of bytes (undefined when not given): a
 * power of two from 512 bytes to 1 GiB, as the configuration's `page_size`; anything else is an
 * InputError naming the option and the value.
 */
export function pageSizeOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !(n >= PAGE_SIZE_RANGE.min && n <= PAGE_SIZE_RANGE.max && (n & (n - 1)) === 0)) {
    throw new InputError(`--page-size expects a power of two from ${PAGE_SIZE_RANGE.min} to ${PAGE_SIZE_RANGE.max} bytes, as page_size (got '${v}')`);
  }
  return n;
}
