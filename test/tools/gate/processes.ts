import * as fs from "node:fs";
import { Writable } from "node:stream";

/** A stream that keeps what is written to it (the gate's stdout or stderr in a test). */
export class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Alive and not a zombie (an orphan's exit status may wait for a PID 1 that never reaps it). */
export function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}
