// A poll loop's pause that a signal cuts short: `nudge()` (new work, or stopping) ends the current
// sleep at once, and a nudge that comes while the loop is busy makes its next sleep return at once.

export interface WakeableSleep {
  /** wake the loop: the current sleep ends, or the next one does not start */
  nudge: () => void;
  /** called at the top of each round: nudges before it are consumed by that round */
  clear: () => void;
  sleep: (ms: number) => Promise<void>;
}

export function wakeableSleep(stopped: () => boolean): WakeableSleep {
  let nudged = false;
  let wake: (() => void) | null = null;
  return {
    nudge() {
      nudged = true;
      wake?.();
    },
    clear() {
      nudged = false;
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (nudged || stopped()) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      }),
  };
}
