import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { runGate } from "../../../tools/gate/cli";
import { runProgram } from "../../../tools/program/runUnderMocks";
import { type StackExportDoc, stackExportOf } from "./stackExportOf";

const ROOT = path.join(__dirname, "..", "..", "..");
const CLI = path.join(ROOT, "tools", "gate", "cli.ts");

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function gate(args: string[], hooks: { onPackStart?: (pid: number) => void } = {}) {
  const out = new Capture();
  const err = new Capture();
  const code = await runGate(args, out, err, false, hooks);
  return { code, stdout: out.text, stderr: err.text };
}

/** The real CLI in its own process (no TTY), as `npm run plan/audit` runs it. */
function cli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))) };
}

/** Alive and not a zombie (an orphan's exit status may wait for a PID 1 that never reaps it). */
function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Children of a process whose command line mentions run-policy-pack (Linux /proc). */
function packChildrenOf(parent: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        return new RegExp(`^PPid:\\s+${parent}$`, "m").test(status) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("run-policy-pack");
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("gate CLI: plan and audit", function () {
  this.timeout(180_000);
  let dir: string;
  let clean: StackExportDoc;
  let mutatedFile: string;
  let cleanFile: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-gate-"));
    clean = stackExportOf(await runProgram("prod"));
    cleanFile = path.join(dir, "prod.json");
    fs.writeFileSync(cleanFile, JSON.stringify(clean));
    const mutated = structuredClone(clean);
    const table = mutated.deployment.resources.find((r) => r.type === "aws:dynamodb/table:Table");
    assert.ok(table, "the program has a table");
    table.inputs.pointInTimeRecovery = { enabled: false };
    mutatedFile = path.join(dir, "prod-mutated.json");
    fs.writeFileSync(mutatedFile, JSON.stringify(mutated));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("bad usage exits 2 naming the problem, before any pack starts", () => {
    const cases: [string, string[], RegExp][] = [
      ["an unknown flag", ["plan", "--stak", "prod"], /--stak/],
      ["an unknown stack", ["plan", "--stack", "qa"], /--stack must be one of dev, prod/],
      ["two output formats", ["plan", "--stack", "dev", "--json", "--sarif"], /--json and --sarif/],
      ["plan without --stack", ["plan"], /--stack/],
      ["audit without --file", ["audit", "--stack", "prod"], /--file/],
      ["an unknown command", ["apply", "--stack", "dev"], /unknown command "apply"/],
    ];
    for (const [what, args, message] of cases) {
      it(`rejects ${what}`, async () => {
        let started = false;
        const result = await gate(args, { onPackStart: () => (started = true) });
        assert.equal(result.code, 2);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, "");
        assert.equal(started, false);
      });
    }

    it("names an unreadable state file", async () => {
      const missing = path.join(dir, "no-such-state.json");
      const result = await gate(["audit", "--file", missing]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`cannot read --file ${missing.replace(/[.]/g, "\\.")}: ENOENT`));
    });

    it("names a file that is not JSON, or not a version 3 export", async () => {
      const notJson = path.join(dir, "garbage.json");
      fs.writeFileSync(notJson, "{ nope");
      assert.match((await gate(["audit", "--file", notJson])).stderr, /garbage\.json is not JSON/);
      const v2 = path.join(dir, "v2.json");
      fs.writeFileSync(v2, JSON.stringify({ ...clean, version: 2 }));
      const result = await gate(["audit", "--file", v2]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /"version" is 2, expected 3/);
    });

    it("asks for --stack when the export's URNs name another stack", async () => {
      const staging = path.join(dir, "staging.json");
      fs.writeFileSync(staging, JSON.stringify(clean).replace(/urn:pulumi:prod::/g, "urn:pulumi:staging::"));
      const result = await gate(["audit", "--file", staging]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /stack "staging": pass --stack dev\|prod/);
    });
  });

  it("exits 2 naming a bad policy config key, and stops the pack it had started", async () => {
    const badConfig = path.join(dir, "config.bad.json");
    fs.writeFileSync(badConfig, JSON.stringify({ "aws-kms-key-require-rotaton": "mandatory" }));
    let pid = -1;
    const result = await gate(["audit", "--file", cleanFile, "--policy-pack-config", badConfig], { onPackStart: (p) => (pid = p) });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /config\.bad\.json: "aws-kms-key-require-rotaton" is not a policy of this pack/);
    assert.ok(pid > 0, "the pack was started (config is checked against the policies it serves)");
    assert.equal(isRunning(pid), false, "the pack process is gone");
  });

  it("audits a clean export: exit 0, readable plan without colour off a TTY, pack stopped", async () => {
    let pid = -1;
    const result = await gate(["audit", "--file", cleanFile], { onPackStart: (p) => (pid = p) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^botfleet audit: stack prod, policy pack botfleet-security \(\d+ policies\)/);
    assert.match(result.stdout, /Resources \(\d+\)\n {2}aws:/);
    assert.match(result.stdout, /0 mandatory and 0 advisory violations: PASSED$/m);
    assert.ok(!result.stdout.includes("\u001b["), "no ANSI colour codes off a TTY");
    assert.equal(isRunning(pid), false);
  });

  it("plan --stack dev --json: exit 0 and only the documented JSON on stdout (real process)", async () => {
    const { code, stdout, stderr } = await cli(["plan", "--stack", "dev", "--json"]).done;
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as { stack: string; resources: Record<string, unknown>[]; violations: unknown[] };
    assert.deepEqual(Object.keys(doc), ["stack", "resources", "violations"]);
    assert.equal(doc.stack, "dev");
    assert.ok(doc.resources.length > 10);
    for (const r of doc.resources) assert.deepEqual(Object.keys(r), ["urn", "type", "name"]);
    assert.deepEqual(doc.violations, []);
  });

  it("audit of a misconfigured export: exit 1, SARIF 2.1.0 naming the policy at the resource (real process)", async () => {
    const { code, stdout } = await cli(["audit", "--file", mutatedFile, "--sarif"]).done;
    assert.equal(code, 1);
    const sarif = JSON.parse(stdout) as {
      version: string;
      $schema: string;
      runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[];
    };
    assert.equal(sarif.version, "2.1.0");
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    const run = sarif.runs[0];
    assert.ok(run?.tool.driver.rules.some((r) => r.id === "aws-dynamodb-table-require-point-in-time-recovery"));
    assert.equal(run?.results.length, 1);
    const result = run?.results[0];
    assert.equal(result?.ruleId, "aws-dynamodb-table-require-point-in-time-recovery");
    assert.equal(result?.level, "error");
    assert.match(result?.message.text ?? "", /Set pointInTimeRecovery/);
    assert.match(result?.locations[0]?.logicalLocations[0]?.fullyQualifiedName ?? "", /aws:dynamodb\/table:Table::/);
    assert.match(result?.locations[0]?.physicalLocation.artifactLocation.uri ?? "", /prod-mutated\.json$/);
  });

  it("stops the pack when interrupted (SIGINT) mid-run", async () => {
    const { child, done } = cli(["plan", "--stack", "dev"]);
    let pack: number | undefined;
    for (let waited = 0; pack === undefined && waited < 60_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      pack = packChildrenOf(child.pid as number)[0];
    }
    assert.ok(pack, "the pack process started");
    child.kill("SIGINT");
    const { code } = await done;
    assert.notEqual(code, 0);
    assert.equal(isRunning(pack), false, "no pack process is left behind");
  });
});
