/**
 * The plugins of one run, loaded by the caller (scripts/plugins.ts reads the
 * files) and passed to the pure simulator: when absent, the built-in policy or
 * discipline the configuration names is used.
 */
import type { LoadedPlugin } from './plugin.ts';
import type { WritebackPolicyPlugin } from '../pager/writeback-policy.ts';
import type { IoSchedulerPlugin } from '../device/scheduler.ts';

/** The writeback policy and I/O scheduler of a run. */
export interface SimPlugins {
  writeback?: LoadedPlugin<WritebackPolicyPlugin>;
  scheduler?: LoadedPlugin<IoSchedulerPlugin>;
}
