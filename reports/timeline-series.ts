/** The counts of timeline.csv that the timeline chart draws. */

/** The timeline columns charted, as named in timeline.csv. */
export const TIMELINE_SERIES = ['dirty_pages', 'writeback_pages', 'wired_pages', 'queue_depth'] as const;
/** A timeline column. */
export type TimelineSeries = (typeof TIMELINE_SERIES)[number];
