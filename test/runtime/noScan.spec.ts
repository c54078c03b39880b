import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const RUNTIME = path.join(__dirname, "..", "..", "runtime");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("runtime store access", () => {
  it("never scans: no Scan or ParallelScan command anywhere in runtime/", () => {
    const offenders = sources(RUNTIME).filter((file) => /\bScan(Command|Input)\b|\bParallelScan\b|new\s+Scan\b/.test(fs.readFileSync(file, "utf8")));
    assert.deepEqual(offenders, []);
  });
});
