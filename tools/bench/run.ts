/**
 * `npm run bench`: runs every suite in tools/bench/suites/ (or the ones named as arguments) and
 * prints one JSON object per line on stdout:
 *   {"bench","metric","value","unit","baseline","ratio"}
 * where `baseline` is measured in the same run and `ratio` = value / baseline. Progress goes to stderr.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type BenchLine, type BenchSuite, formatLine } from "./line";

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const dir = path.join(__dirname, "suites");
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .filter((f) => only.length === 0 || only.includes(path.basename(f, ".ts")));
  if (only.length > 0 && files.length !== only.length) {
    process.stderr.write(`unknown suite in ${only.join(", ")}; suites: ${fs.readdirSync(dir).join(", ")}\n`);
    process.exit(2);
  }
  for (const file of files) {
    const suite = (await import(path.join(dir, file))) as { default: BenchSuite };
    process.stderr.write(`bench: ${file}\n`);
    await suite.default((line: BenchLine) => process.stdout.write(`${formatLine(line)}\n`));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
