/**
 * Disk mechanics: the seek curve and rotational latency of one actuator, and
 * where each object lives on the disk.
 *
 * Seek time as a function of distance follows Ruemmler & Wilkes, "An
 * introduction to disk drive modeling" (IEEE Computer 27(3), 1994) as DiskSim
 * uses it: 0 for no movement, a + b·√x for short seeks (the arm accelerates
 * and decelerates), c + e·x for long ones (it coasts), x the distance as a
 * fraction of the full stroke. The four constants are fitted to the three
 * figures datasheets give: the single-track seek (x → 0), the average seek
 * (taken at x = 1/3, the mean distance between two uniform random positions)
 * and the full-stroke seek (x = 1); the two pieces meet at x = 1/3.
 *
 * Rotational latency is a uniform draw over one revolution (the platter's
 * angle when the head arrives is taken as random), except for an access that
 * continues exactly where the previous one ended: then the next sector is
 * under the head and neither seek nor rotation is paid.
 */

/** The seek-curve figures (ms). */
export interface SeekFigures {
  seek_track_ms: number;
  seek_avg_ms: number;
  seek_full_ms: number;
}

/** Stroke fraction where the short-seek (√) and long-seek (linear) pieces meet. */
export const SEEK_KNEE = 1 / 3;

/** Seek time (ms) over `x` = distance / full stroke, in [0, 1]. */
export function seekMs(f: SeekFigures, x: number): number {
  if (x <= 0) return 0;
  const d = Math.min(1, x);
  if (d <= SEEK_KNEE) return f.seek_track_ms + (f.seek_avg_ms - f.seek_track_ms) * Math.sqrt(d / SEEK_KNEE);
  return f.seek_avg_ms + ((f.seek_full_ms - f.seek_avg_ms) * (d - SEEK_KNEE)) / (1 - SEEK_KNEE);
}

/** One revolution (ms) at `rpm`. */
export const revolutionMs = (rpm: number): number => 60_000 / rpm;

/** Byte address on the disk of page `page` of the object with id `objectId`. */
export function diskAddress(objectId: number, page: number, pageSize: number, regionBytes: number, capacityBytes: number): number {
  return ((objectId * regionBytes) % capacityBytes) + page * pageSize;
}
