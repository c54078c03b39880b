/**
 * Bench progress on stderr (stdout carries only the JSON result lines). On a terminal one status
 * line is redrawn every second with the running suite and its elapsed time, and notes are printed
 * above it; otherwise (CI logs, pipes) notes and suite start/finish are plain lines, no redraws.
 */
export interface Progress {
  /** A suite starts: `index` of `total`. */
  suite(name: string, index: number, total: number): void;
  /** A line worth keeping (what a suite measured or skipped). */
  note(text: string): void;
  /** The running suite finished. */
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Progress {
  const tty = stream.isTTY === true;
  let current: { name: string; label: string; started: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const seconds = () => (current === undefined ? 0 : Math.round((now() - current.started) / 1000));
  const redraw = () => {
    if (current !== undefined) stream.write(`\r\x1b[K${current.label} running, ${seconds()} s`);
  };
  const clear = () => {
    if (tty && current !== undefined) stream.write("\r\x1b[K");
  };
  return {
    suite(name, index, total) {
      current = { name, label: `bench ${index}/${total}: ${name}`, started: now() };
      if (tty) {
        redraw();
        timer = setInterval(redraw, 1000);
        timer.unref();
      } else stream.write(`${current.label} started\n`);
    },
    note(text) {
      clear();
      stream.write(`${text}\n`);
      if (tty) redraw();
    },
    done() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      clear();
      if (current !== undefined) stream.write(`${current.label} finished in ${seconds()} s\n`);
      current = undefined;
    },
  };
}

/** The process-wide progress the suites write their notes to. */
export const progress = createProgress();
