/**
 * `npm run bench`: runs every suite in tools/bench/suites/ (or the ones named as arguments) and
 * prints one JSON object per line on stdout:
 *   {"bench","metric","value","unit","baseline","ratio"}
 * where `baseline` is measured in the same run and `ratio` = value / baseline. Progress goes to
 * stderr (progress.ts). `--help` prints usage and runs nothing; an unknown suite exits 2 naming it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BenchLine, type BenchSuite, formatLine } from "./line";
import { progress } from "./progress";

const SUITES_DIR = path.join(__dirname, "suites");
/** Set in a suite's own process (runSuiteProcess): its parent prints the progress lines. */
const SUITE_CHILD = "BOTFLEET_BENCH_SUITE_PROCESS";

export function suiteNames(dir = SUITES_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.basename(f, ".ts"))
    .sort();
}

export const BENCH_USAGE = "usage: npm run bench [-- SUITE...]";

function help(names: readonly string[]): string {
  return `${BENCH_USAGE}

Runs the named suites (default: all of ${names.join(", ")}) and prints one JSON line per result on
stdout: {"bench","metric","value","unit","baseline","ratio"}, the baseline measured in the same run
and ratio = value / baseline. Progress goes to stderr (a redrawn status line on a terminal, plain
lines otherwise). A full run takes several minutes.
  -h, --help   this text, without running anything
Exit codes: 0 done, 1 a suite failed, 2 bad usage (an unknown suite or option).`;
}

/** The suites to run, "help", or a usage error naming the bad argument. */
export function parseBenchArgs(argv: readonly string[], names: readonly string[]): string[] | "help" | { error: string } {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const option = argv.find((a) => a.startsWith("-"));
  if (option !== undefined) return { error: `unknown option "${option}"; ${BENCH_USAGE}` };
  const unknown = argv.filter((a) => !names.includes(a));
  if (unknown.length > 0) return { error: `unknown suite ${unknown.map((u) => `"${u}"`).join(", ")}; suites: ${names.join(", ")}` };
  return argv.length === 0 ? [...names] : names.filter((n) => argv.includes(n));
}

async function main(): Promise<void> {
  const names = suiteNames();
  const chosen = parseBenchArgs(process.argv.slice(2), names);
  if (chosen === "help") {
    process.stdout.write(`${help(names)}\n`);
    return;
  }
  if (!Array.isArray(chosen)) {
    process.stderr.write(`${chosen.error}\n`);
    process.exit(2);
  }
  if (process.env[SUITE_CHILD] !== undefined) {
    await runSuite(chosen[0] as string);
    return;
  }
  for (const [index, name] of chosen.entries()) {
    progress.suite(name, index + 1, chosen.length);
    if (chosen.length === 1) await runSuite(name);
    else await runSuiteProcess(name);
    progress.done();
  }
}

async function runSuite(name: string): Promise<void> {
  const suite = (await import(path.join(SUITES_DIR, `${name}.ts`))) as { default: BenchSuite };
  await suite.default((line: BenchLine) => process.stdout.write(`${formatLine(line)}\n`));
}

/**
 * Several suites: each in a fresh process, so that none is measured on the heap, JIT state and
 * leftovers of the suites before it (the webhook latencies, measured last in one process, came out
 * ~0.5 ms worse than the same suite run alone). Its lines go to stdout as it prints them.
 */
function runSuiteProcess(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, name], { env: { ...process.env, [SUITE_CHILD]: "1" }, stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.pipe(process.stdout, { end: false });
    child.once("error", reject);
    child.once("close", (code, signal) => (code === 0 ? resolve() : reject(new Error(`suite ${name} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`))));
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    progress.done();
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
