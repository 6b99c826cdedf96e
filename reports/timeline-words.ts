/**
 * What the timeline's lines and shading stand for, in the figure's note and
 * in its caption: the same words at every run length, as the panels are
 * drawn the same way at every run length (timeline-band.ts).
 */

/** Fewer rows of timeline.csv than this in a run drawn: the note and the caption say how few samples it stands on. */
export const FEW_SAMPLES = 20;

/** One stretch of the bands, as the words need it. */
export interface StretchWords {
  /** Rows of timeline.csv per stretch, as written (`1`, `88`, `84–88`). */
  rows: string;
  /** Its simulated time, as written (`1 ms`, `88 ms`). */
  span: string;
  /** Whether every configuration's stretch is a single row (its line the sample itself). */
  one: boolean;
  /** Whether timeline.csv has its `*_max` columns (peaks between samples), else the samples alone. */
  peaks: boolean;
  /** The sampling period (µs). */
  sampleUs: number;
}

type Words = { note: (s: StretchWords) => string; caption: (s: StretchWords) => string };

const SHOWN = 'so that a peak between two samples is shown without being read as the state';
const OLD_FILE = 'this timeline.csv has no *_max columns, so a peak between two samples is in none of them';

/** The words by stretch (one row or several) and file (with `*_max` columns or not). */
const WORDS: Record<'one' | 'many', Record<'peaks' | 'samples', Words>> = {
  one: {
    peaks: {
      note: (s) => `line: the sample every ${s.span}; shaded: from it up to the peak before the next sample`,
      caption: (s) => `In each panel the line is the sample of timeline.csv at the start of each ${s.span} of simulated time (the state then), and the shading runs from it up to the most the count reached before the next sample (the *_max columns), ${SHOWN}`,
    },
    samples: {
      note: (s) => `line: the sample every ${s.span} (peaks between samples not recorded)`,
      caption: (s) => `In each panel the line is the sample of timeline.csv at the start of each ${s.span} of simulated time (the state then); ${OLD_FILE}`,
    },
  },
  many: {
    peaks: {
      note: (s) => `line: mean of the samples in each ${s.span}; shaded: least sample to peak`,
      caption: (s) => `In each panel the line is the mean of the samples of timeline.csv in each ${s.span} of simulated time (${s.rows} rows, a row every ${s.sampleUs} µs), and the shading runs from the least sample to the most the count reached in that time (the *_max columns), ${SHOWN}`,
    },
    samples: {
      note: (s) => `line: mean of the samples in each ${s.span}; shaded: least to most sample`,
      caption: (s) => `In each panel the line is the mean of the samples of timeline.csv in each ${s.span} of simulated time (${s.rows} rows, a row every ${s.sampleUs} µs), and the shading runs from the least sample to the most; ${OLD_FILE}`,
    },
  },
};

const wordsOf = (s: StretchWords) => WORDS[s.one ? 'one' : 'many'][s.peaks ? 'peaks' : 'samples'];

/** What the thin line of an overlaid panel stands for: the peak, or the most sample of a file without `*_max` columns. */
const topWords = (s: StretchWords) => (s.peaks ? (s.one ? 'the peak before the next sample' : 'peak') : 'most sample');

/**
 * The figure's note on what the line and the shading are: `line: mean of the samples in each 88 ms; shaded: least
 * sample to peak`; with several configurations overlaid in a panel (`overlaid`), whose shading is a dotted line at
 * the peak instead, `...; dotted: peak`; and when the configurations' own lines are told apart by dashes
 * (`ownDash`: a kernel's second one is dotted), whose peaks are then thin lines in their configuration's dash,
 * `...; thin line: peak, in its configuration's dash` (until 2026-12-08 the dotted peak of one looked like the
 * dotted mean of another, and the note said `dotted: peak` beside a legend whose dotted line was a configuration).
 */
export function stretchNote(s: StretchWords, overlaid = false, ownDash = false): string {
  const note = wordsOf(s).note(s);
  if (!overlaid || !note.includes('; shaded: ')) return note;
  const head = note.slice(0, note.indexOf('; shaded: '));
  return ownDash ? `${head}; thin line: ${topWords(s)}, in its configuration's dash` : `${head}; dotted: ${topWords(s)}`;
}

/**
 * The caption's sentence on what the line and the shading are (no final stop), and with `overlaid` why a thin line
 * (dotted, or with `ownDash` in its configuration's dash: stretchNote) stands for the shading.
 */
export function stretchCaption(s: StretchWords, overlaid = false, ownDash = false): string {
  const how = ownDash
    ? "a thin, fainter line in its colour and its own dash (the dash the legend gives it, so that it is not taken for the line of another configuration of its kernel)"
    : 'a thin dotted line in its colour';
  return wordsOf(s).caption(s) + (overlaid
    ? `; with several configurations in one panel the shading of each would cover the others' (until 2026-12-07 two configurations' shading made a grey block of a panel), so each configuration's ${s.peaks ? 'peak' : 'most sample'} is ${how} instead`
    : '');
}

/**
 * The note on runs of fewer than {@link FEW_SAMPLES} rows each (`rows`: each run's, as written; `fewest`: the
 * fewest), '' otherwise: `only 2 samples: too few for a steady state` (the note's line gives their period).
 */
export function fewSamplesNote(rows: string, fewest: number): string {
  return fewest < FEW_SAMPLES ? `only ${rows} ${rows === '1' ? 'sample' : 'samples'}: too few for a steady state` : '';
}

/** The caption's sentence on runs of fewer than {@link FEW_SAMPLES} rows (no final stop), '' otherwise. */
export function fewSamplesCaption(rows: string, fewest: number, sampleUs: number): string {
  return fewest < FEW_SAMPLES
    ? `the timeline stands on only ${rows} rows of timeline.csv (a row every ${sampleUs.toLocaleString('en-US')} µs of simulated time, and one at the run's end): too few to show how the counts behave over time, let alone a steady state; a smaller stats.sample_us samples more often`
    : '';
}
