import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseOptions, usage } from "../tools/gate/options";

/**
 * README's commands run as printed. Every command line is extracted — the lines of fenced `sh`
 * blocks (with `\` continuations joined) and inline code spans that start with `npm` — and:
 *  (a) every `npm run <script>` (and `npm start` / `npm test`) names a script of package.json, and
 *      every `--flag` it passes is one that command accepts: plan and audit are parsed by the gate's
 *      own option parser (the dry form of the command), the other CLIs' flags must appear in what
 *      they print for `--help`, and bench's arguments must name suites;
 *  (b) the offline commands that are cheap run as printed: `npm run plan -- --help`, and the
 *      audit-without-a-cloud line (plan --export, then audit), with its file in a temporary
 *      directory instead of the checkout. Every other command is listed below with why it is not run.
 */
const ROOT = path.resolve(__dirname, "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const SCRIPTS = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const run = promisify(execFile);

/** Why a script's README commands are not run here (beyond --help and the flag checks). */
const NOT_RUN: Readonly<Record<string, string>> = {
  ci: "installs node_modules (minutes, network)",
  test: "is this suite",
  start: "a long-running server; test/e2e drives the same stack",
  send: "needs a running stack (npm start)",
  preflight: "reads live cloud accounts with credentials",
  bench: "takes minutes; its suites are measured by npm run bench",
  "build:policy": "compiles the pack, which the gate also does when it is stale",
  "discord:register": "calls Discord's API with a bot token",
  typecheck: "npm test runs it",
  lint: "npm test runs it",
  "test:unit": "npm test runs it",
};

/** Commands README shows: fenced sh lines (continuations joined) and inline `npm …` spans. */
export function readmeCommands(markdown: string): { text: string; fenced: boolean }[] {
  const commands: { text: string; fenced: boolean }[] = [];
  for (const block of markdown.matchAll(/^[ \t]*```sh\n([\s\S]*?)^[ \t]*```/gm)) {
    const joined = (block[1] ?? "").replace(/\\\n\s*/g, " ");
    for (const line of joined.split("\n")) {
      const text = stripComment(line).trim();
      if (text !== "") commands.push({ text, fenced: true });
    }
  }
  const prose = markdown.replace(/^[ \t]*```[\s\S]*?^[ \t]*```/gm, "");
  for (const span of prose.matchAll(/`([^`\n]+)`/g)) {
    const text = (span[1] ?? "").trim();
    if (/^(PORT=\S+ )?npm (run|start|test|ci)\b/.test(text)) commands.push({ text, fenced: false });
  }
  return commands;
}

/** A line without its trailing `# comment` (a `#` outside quotes, after a space). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) return line.slice(0, i);
  }
  return line;
}

/** Shell words of one simple command (quotes removed; `$(...)` kept whole). */
function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\$\([^)]*\)|[^\s"']+)+/g)) out.push(m[0].replace(/^["']|["']$/g, ""));
  return out;
}

interface NpmCall {
  readonly script: string;
  /** What follows `--`. */
  readonly args: string[];
  readonly source: string;
  readonly fenced: boolean;
}

/** Every npm invocation in a command line (split at &&, ||, ;, |; redirections dropped). */
export function npmCalls(command: { text: string; fenced: boolean }): NpmCall[] {
  const calls: NpmCall[] = [];
  for (const part of command.text.split(/&&|\|\||;|\|(?!\w)/)) {
    const w = words(part.replace(/\s\d?>\s*\S+/g, " "));
    const at = w.indexOf("npm");
    if (at < 0) continue;
    const rest = w.slice(at + 1).filter((x) => x !== "-s" && x !== "--silent");
    const verb = rest[0];
    let script: string | undefined;
    let after: string[];
    if (verb === "run") [script, after] = [rest[1], rest.slice(2)];
    else [script, after] = [verb, rest.slice(1)];
    if (script === undefined) continue;
    const dash = after.indexOf("--");
    calls.push({ script, args: dash >= 0 ? after.slice(dash + 1) : after, source: command.text, fenced: command.fenced });
  }
  return calls;
}

/** The long flags a command line passes (synopsis brackets and alternatives included). */
function flagsOf(args: readonly string[]): string[] {
  return [...new Set(args.flatMap((a) => [...a.matchAll(/(?:^|[[|\s])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1] as string)))];
}

const CALLS = readmeCommands(README).flatMap(npmCalls);
const GATE_HELP = usage();

async function helpOf(script: string): Promise<string> {
  // Whatever the command prints for --help, on either stream and whatever its exit code: a CLI that
  // has no --help prints its usage for the unknown flag, and nothing starts (the command refuses first).
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", script, "--", "--help"], { cwd: ROOT, timeout: 60_000 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}

describe("README: every command it shows runs as printed", function () {
  this.timeout(240_000);

  it("finds README's commands (fenced sh blocks and inline npm spans)", () => {
    const scripts = new Set(CALLS.map((c) => c.script));
    for (const expected of ["ci", "start", "test", "plan", "audit", "preflight", "send", "bench", "build:policy"]) assert.ok(scripts.has(expected), `README shows npm ${expected}`);
    assert.ok(CALLS.some((c) => c.fenced && c.script === "plan" && c.args.includes("--export")), "README shows audit without a cloud");
  });

  it("names only scripts package.json has", () => {
    const builtin = new Set(["ci"]);
    const unknown = CALLS.filter((c) => !builtin.has(c.script) && !(c.script in SCRIPTS)).map((c) => `${c.script}: ${c.source}`);
    assert.deepEqual(unknown, []);
    for (const c of CALLS) assert.ok(c.script in NOT_RUN || c.script === "plan" || c.script === "audit", `say why README's ${c.script} is (not) run`);
  });

  it("plan and audit: every command as printed is accepted by the gate's option parser, every synopsis flag is in its usage", () => {
    for (const c of CALLS.filter((x) => x.script === "plan" || x.script === "audit")) {
      for (const flag of flagsOf(c.args)) assert.ok(GATE_HELP.includes(flag), `${flag} is not in the gate's usage: ${c.source}`);
      if (c.fenced) assert.doesNotThrow(() => parseOptions([c.script, ...c.args]), `${c.source}`);
    }
  });

  it("the other CLIs: every flag README passes is one their --help names", async () => {
    const byScript = new Map<string, string[]>();
    for (const c of CALLS.filter((x) => !["plan", "audit", "bench", "ci", "test"].includes(x.script))) {
      byScript.set(c.script, [...(byScript.get(c.script) ?? []), ...flagsOf(c.args)]);
    }
    const checks = [...byScript].filter(([, flags]) => flags.length > 0);
    const helps = await Promise.all(checks.map(([script]) => helpOf(script)));
    checks.forEach(([script, flags], i) => {
      for (const flag of new Set(flags)) assert.ok(helps[i]?.includes(flag), `npm run ${script} does not accept ${flag} (its --help: ${JSON.stringify(helps[i])})`);
    });
  });

  it("bench: its arguments name suites or flags bench reads", () => {
    const suites = fs.readdirSync(path.join(ROOT, "tools", "bench", "suites")).map((f) => f.replace(/\.ts$/, ""));
    const source = fs.readFileSync(path.join(ROOT, "tools", "bench", "run.ts"), "utf8");
    for (const c of CALLS.filter((x) => x.script === "bench")) {
      for (const arg of c.args) assert.ok(arg.startsWith("--") ? source.includes(`"${arg}"`) || source.includes(`'${arg}'`) : suites.includes(arg), `bench ${arg} (${c.source})`);
    }
  });

  it("runs `npm run plan -- --help` as printed: exit 0 and the usage", async () => {
    assert.ok(CALLS.some((c) => c.fenced && c.script === "plan" && c.args.join(" ") === "--help"));
    const { stdout } = await run("npm", ["run", "plan", "--", "--help"], { cwd: ROOT, timeout: 60_000 });
    assert.match(stdout, /usage:\n {2}npm run plan {2}-- --stack <stack>/);
  });

  it("runs the audit-without-a-cloud line as printed (its state file in a temporary directory): plan exports, audit passes", async () => {
    const line = readmeCommands(README).find((c) => c.fenced && /npm run plan -- --stack \S+ --export (\S+) && npm run audit -- --file \1$/.test(c.text));
    assert.ok(line, "README shows: npm run plan -- --stack <stack> --export <file> && npm run audit -- --file <file>");
    const file = /--export (\S+)/.exec(line.text)?.[1] as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-readme-"));
    try {
      const command = line.text.replaceAll(` ${file}`, ` ${path.join(dir, file)}`);
      const { stdout, stderr } = await run("sh", ["-c", command], { cwd: ROOT, timeout: 220_000, maxBuffer: 64 * 1024 * 1024 });
      assert.match(stderr, /wrote .*: the state of stack \S+ after up, as pulumi stack export writes it/);
      assert.match(stdout, /botfleet audit: stack \S+/);
      assert.match(stdout, /0 mandatory and 0 advisory violations: PASSED$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails when README shows a command that does not run as printed (the checks above, on bad lines)", () => {
    const bad = (text: string) => readmeCommands(`\`\`\`sh\n${text}\n\`\`\`\n`).flatMap(npmCalls);
    const [unknownScript] = bad("npm run deploy -- --stack dev");
    assert.ok(unknownScript && !(unknownScript.script in SCRIPTS));
    const [badFlag] = bad("npm run -s plan -- --stack dev --jsn > plan.json   # a typo");
    assert.ok(badFlag);
    assert.deepEqual(badFlag.args, ["--stack", "dev", "--jsn"]);
    assert.throws(() => parseOptions([badFlag.script, ...badFlag.args]), /--jsn/);
    const [continued] = bad("npm run plan -- \\\n  --stack prod --export s.json && npm run audit -- --file s.json");
    assert.deepEqual(continued?.args, ["--stack", "prod", "--export", "s.json"]);
    assert.deepEqual(flagsOf(["[--json|--sarif]", "[--assume-deploy-role]"]), ["--json", "--sarif", "--assume-deploy-role"]);
  });
});
