/**
 * The kernel personalities, by the name the `personality` key uses.
 */
import type { Personality } from '../kernel.ts';
import { freebsd } from './freebsd.ts';
import { linux } from './linux.ts';
import { mach } from './mach.ts';
import { xnu } from './xnu.ts';

const ALL: Record<string, Personality | null> = { freebsd, xnu, linux, mach };

/** The implemented personalities by name. */
export const PERSONALITIES: Readonly<Record<string, Personality>> = Object.fromEntries(
  Object.entries(ALL).filter((e): e is [string, Personality] => e[1] !== null),
);
