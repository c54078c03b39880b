import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parseBenchArgs } from "../../tools/bench/run";
import { parseStartOptions } from "../../tools/local/start";
import { parseSendArgs, unreachableMessage } from "../../tools/send/cli";

const ROOT = join(__dirname, "..", "..");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tools/ entry point the way npm's `tsx <file>` does (tsx's CJS and ESM hooks: the API loads its GCS client with import()), in `cwd`, with `env` added. */
function launch(script: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function finished(child: ChildProcess): Promise<Run> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on("exit", (code) => done({ code, stdout, stderr })));
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

describe("npm start and npm run send: command lines", () => {
  it("parses --fresh and PORT, and names a bad flag or PORT", () => {
    assert.deepEqual(parseStartOptions([], {}), { port: 8787, fresh: false });
    assert.deepEqual(parseStartOptions(["--fresh"], { PORT: "9000" }), { port: 9000, fresh: true });
    assert.match(parseStartOptions(["--frsh"], {}) as string, /unknown argument "--frsh"/);
    for (const port of ["0", "65536", "80a", "-1", " 80"]) assert.match(parseStartOptions([], { PORT: port }) as string, /PORT must be a whole number from 1 to 65535/);
    assert.deepEqual(parseStartOptions(["--data-dir", "two"], {}, "/work"), { port: 8787, fresh: false, dataDir: "/work/two" });
    assert.match(parseStartOptions(["--data-dir"], {}) as string, /--data-dir needs a directory/);
    assert.equal(parseStartOptions(["--fresh", "--help"], { PORT: "nope" }), "help");
  });

  it("parses bench's suite names: --help, unknown suites and options named", () => {
    const names = ["bundles", "load"];
    assert.deepEqual(parseBenchArgs([], names), names);
    assert.deepEqual(parseBenchArgs(["load"], names), ["load"]);
    assert.equal(parseBenchArgs(["load", "--help"], names), "help");
    assert.deepEqual(parseBenchArgs(["lod", "load", "x"], names), { error: 'unknown suite "lod", "x"; suites: bundles, load' });
    assert.match((parseBenchArgs(["--fast"], names) as { error: string }).error, /unknown option "--fast"/);
  });

  it("names the URL send tried and how to start the stack when nothing answers", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    assert.equal(
      unreachableMessage("http://127.0.0.1:9000/webhooks/telegram", refused),
      "send: nothing answered at http://127.0.0.1:9000/webhooks/telegram (ECONNREFUSED): start the local stack with `npm start` (PORT=<port> npm run send … if it runs on another port)",
    );
    assert.match(unreachableMessage("https://bot.example.org/webhooks/slack", new TypeError("fetch failed")), /at https:\/\/bot\.example\.org\/webhooks\/slack \(fetch failed\): check the URL/);
  });

  it("parses send's arguments and names each usage problem", () => {
    assert.deepEqual(parseSendArgs(["telegram", "/start"], {}), { platform: "telegram", text: "/start", url: "http://127.0.0.1:8787" });
    assert.deepEqual(parseSendArgs(["slack", "hi", "--user", "U1", "--url", "https://api.example.org/"], { PORT: "1" }), {
      platform: "slack",
      text: "hi",
      user: "U1",
      url: "https://api.example.org",
    });
    assert.match(parseSendArgs([], {}) as string, /missing platform/);
    assert.match(parseSendArgs(["irc", "hi"], {}) as string, /unknown platform "irc"/);
    assert.match(parseSendArgs(["meta"], {}) as string, /missing text/);
    assert.match(parseSendArgs(["meta", "a", "b"], {}) as string, /unexpected argument "b"/);
    assert.match(parseSendArgs(["meta", "a", "--user"], {}) as string, /--user needs a value/);
    assert.match(parseSendArgs(["meta", "a", "--verbose"], {}) as string, /unknown option "--verbose"/);
    assert.match(parseSendArgs(["meta", "a", "--url", "ftp://x"], {}) as string, /must be http/);
    assert.match(parseSendArgs(["meta", "a"], { PORT: "eighty" }) as string, /PORT must be a whole number/);
    assert.equal(parseSendArgs(["meta", "--help"], {}), "help");
    assert.deepEqual(parseSendArgs(["meta", "a", "--data-dir", "d"], {}, "/w"), { platform: "meta", text: "a", url: "http://127.0.0.1:8787", dataDir: "/w/d" });
  });

  it("every command answers --help with its usage and exit 0, and starts nothing", async function () {
    this.timeout(60_000);
    const runs = await Promise.all(
      [
        ["tools/local/start.ts", /usage: npm start/],
        ["tools/send/cli.ts", /usage: npm run send/],
        ["tools/discord/register.ts", /usage: npm run discord:register/],
        ["tools/bench/run.ts", /usage: npm run bench/],
      ].map(async ([script, usage]) => ({ script, usage: usage as RegExp, run: await finished(launch(script as string, ["--help"], { env: { PORT: "not-a-port" } })) })),
    );
    for (const { script, usage, run } of runs) {
      assert.equal(run.code, 0, `${String(script)}: ${run.stderr}`);
      assert.match(run.stdout, usage);
      assert.equal(run.stderr, "", `${String(script)} printed to stderr`);
    }
  });

  it("bad usage and bad configuration exit 2 with one line and no stack trace", async function () {
    this.timeout(60_000);
    const dir = join(ROOT, ".tmp", `badconfig-${randomUUID()}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "settings.json"), "{not json");
    try {
      const runs = await Promise.all([
        finished(launch("tools/local/start.ts", ["--data-dir", dir])),
        finished(launch("tools/bench/run.ts", ["lod"])),
        finished(launch("tools/discord/register.ts", [], { env: { DISCORD_APPLICATION_ID: "", DISCORD_BOT_TOKEN: "" } })),
        finished(launch("tools/send/cli.ts", ["telegram", "hi", "--data-dir", dir])),
      ]);
      const [start, bench, discord, send] = runs;
      assert.match(start!.stderr, /settings\.json is not a botfleet local settings file: delete it or start with --fresh/);
      assert.match(bench!.stderr, /unknown suite "lod"/);
      assert.match(discord!.stderr, /DISCORD_APPLICATION_ID/);
      assert.match(send!.stderr, /settings\.json is not a botfleet local settings file/);
      for (const run of runs) {
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
        assert.doesNotMatch(run.stderr, /\n\s+at /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("npm run send against a stack that is not running names the URL and says to start it (exit 1)", async function () {
    this.timeout(30_000);
    const port = await freePort();
    const run = await finished(launch("tools/send/cli.ts", ["telegram", "/start"], { env: { PORT: String(port) } }));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `send: nothing answered at http://127.0.0.1:${port}/webhooks/telegram (ECONNREFUSED): start the local stack with \`npm start\` (PORT=<port> npm run send … if it runs on another port)\n`);
  });

  it("npm start exits 2 naming an unknown flag, and 2 for a bad PORT, before starting anything", async () => {
    const flag = await finished(launch("tools/local/start.ts", ["--bogus"]));
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown argument "--bogus"/);
    const port = await finished(launch("tools/local/start.ts", [], { env: { PORT: "http" } }));
    assert.equal(port.code, 2);
    assert.match(port.stderr, /PORT must be a whole number/);
  });

  it("npm run send exits 2 for bad usage", async () => {
    const run = await finished(launch("tools/send/cli.ts", ["discord"]));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /missing text/);
  });

  it("npm start serves; its banner's lines work as printed in a shell (send, curls with captured ids, today's export); a second start on its data dir exits 3; Ctrl-C exits 0", async function () {
    this.timeout(180_000);
    const dataDir = join(ROOT, ".tmp", `start-${randomUUID()}`);
    const port = await freePort();
    const origin = `cli-origin-${randomUUID()}`;
    const child = launch("tools/local/start.ts", ["--fresh", "--data-dir", dataDir], { env: { PORT: String(port), ORIGIN_VERIFY_SECRET: origin } });
    const result = finished(child);
    try {
      let banner = "";
      await new Promise<void>((done, fail) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          banner += chunk.toString();
          if (banner.includes("/api/stats")) done();
        });
        child.on("exit", () => fail(new Error(`npm start exited early:\n${banner}`)));
      });
      assert.match(banner, new RegExp(`botfleet local stack on http://127\\.0\\.0\\.1:${port}`));
      for (const role of ["VIEWER", "AGENT", "ADMIN"]) assert.match(banner, new RegExp(`^export ${role}_TOKEN=eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+$`, "m"));
      assert.match(banner, new RegExp(`^export ORIGIN_VERIFY_SECRET=${origin}$`, "m"));
      assert.match(banner, /TELEGRAM_WEBHOOK_SECRET=\S+ {2}\(generated\)/);
      const source = /run {2}(source \S+)/.exec(banner)?.[1] ?? "";
      assert.match(source, /env\.sh$/);
      const tryLines = banner.slice(banner.indexOf("Try it")).split("\n").slice(1).map((line) => line.trim()).filter((line) => line !== "");
      assert.ok(tryLines.length >= 14, banner);
      for (const line of tryLines) {
        assert.doesNotMatch(line, /:8787\b/, "every line targets this stack's port");
        if (line.includes("curl")) assert.ok(line.includes(`127.0.0.1:${port}`) && line.includes("$ORIGIN_VERIFY_SECRET"), line);
        if (line.includes("npm run send")) assert.ok(line.startsWith(`PORT=${port} npm run send -- --data-dir `), line);
      }

      // Another start on the same data directory: one line, exit 3, the running stack untouched.
      const second = await finished(launch("tools/local/start.ts", ["--fresh", "--data-dir", dataDir], { env: { PORT: String(await freePort()) } }));
      assert.equal(second.code, 3, second.stderr);
      assert.match(second.stderr, new RegExp(`^npm start: .* is in use by another local stack \\(pid ${child.pid}, http://127\\.0\\.0\\.1:${port}\\)`));
      assert.equal(second.stderr.trim().split("\n").length, 1);

      // The lines as printed, in a clean shell that only sourced env.sh (npm run send runs the
      // same file npm does, without npm's own start-up). Nothing else sets TICKET_ID or EXPORT_ID.
      const sendScript = `${process.execPath} --import tsx ${join(ROOT, "tools/send/cli.ts")}`;
      const script = ["set -e", source, ...tryLines.map((line) => line.replace(/npm run send --/, sendScript).replace(/\s+# .*$/, ""))].join("\n");
      const shell = spawn("bash", ["-c", script], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      const ran = await finished(shell);
      assert.equal(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
      assert.doesNotMatch(ran.stdout, /"error"/, ran.stdout);
      assert.match(ran.stdout, /Ticket \w+ opened: Printer on fire/);
      assert.match(ran.stdout, /^TICKET_ID=\w+$/m);
      assert.match(ran.stdout, /^EXPORT_ID=[\w-]+$/m);
      assert.match(ran.stdout, /"status":"done"/, "today's export ran");
      assert.match(ran.stdout, /"subject":"Printer on fire"/, "the download holds today's ticket");
      assert.match(ran.stdout, /We are on it/);

      child.kill("SIGINT");
      const run = await result;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /stopped/);
      assert.equal(existsSync(join(dataDir, "lock.json")), false, "the data directory is free again");
      assert.equal(existsSync(join(dataDir, "env.sh")), false);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
