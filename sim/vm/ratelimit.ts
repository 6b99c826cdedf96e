/**
 * The per-task dirtying ratelimit of the VM's dirty-page accounting: how many
 * pages a writer dirties between two calls into the writeback policy's
 * throttle (balance_dirty_pages). The policy lives in the pager; when to ask
 * it is the VM's part.
 */

/**
 * Pages a task dirties between two throttle checks (Linux `ratelimit_pages`,
 * initial value 32: mm/page-writeback.c, `static long ratelimit_pages = 32;`).
 */
export const RATELIMIT_PAGES = 32;
