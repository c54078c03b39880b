import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parseStartOptions } from "../../tools/local/start";
import { parseSendArgs } from "../../tools/send/cli";

const ROOT = join(__dirname, "..", "..");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tools/ entry point the way npm does (node + tsx), in `cwd`, with `env` added. */
function launch(script: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, ["--require", "tsx/cjs", join(ROOT, script), ...args], {
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

  it("npm start serves, npm run send gets the bot's answer, and Ctrl-C stops it cleanly with exit 0", async function () {
    this.timeout(120_000);
    const cwd = join(ROOT, ".tmp", `start-${randomUUID()}`);
    mkdirSync(cwd, { recursive: true });
    const port = await freePort();
    const child = launch("tools/local/start.ts", ["--fresh"], { cwd, env: { PORT: String(port) } });
    const result = finished(child);
    try {
      let banner = "";
      await new Promise<void>((done, fail) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          banner += chunk.toString();
          if (banner.includes("Try it:")) done();
        });
        child.on("exit", () => fail(new Error(`npm start exited early:\n${banner}`)));
      });
      assert.match(banner, new RegExp(`botfleet local stack on http://127\\.0\\.0\\.1:${port}`));
      for (const role of ["VIEWER", "AGENT", "ADMIN"]) assert.match(banner, new RegExp(`${role}_TOKEN=eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+`));
      assert.match(banner, /TELEGRAM_WEBHOOK_SECRET=\S+ {2}\(generated\)/);

      const sent = await finished(launch("tools/send/cli.ts", ["telegram", "/ticket Printer on fire"], { cwd, env: { PORT: String(port) } }));
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(sent.stdout, /^200 OK/);
      assert.match(sent.stdout, /Ticket \w+ opened: Printer on fire/);

      child.kill("SIGINT");
      const run = await result;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /stopped/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
