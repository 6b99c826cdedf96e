/**
 * Turns of the event loop for long work that would otherwise never give it one: a signal's
 * handler (Ctrl-C, kill), a timer and an I/O callback only run when the event loop turns, and a
 * loop over data read synchronously (a binary trace cache, rows in memory) gives it none.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Lets the event loop turn once: what waits (a signal's handler, timers, I/O callbacks) runs before this resolves. */
export function turn(): Promise<void> {
  return nextTurn();
}
