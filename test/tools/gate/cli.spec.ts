import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runGate } from "../../../tools/gate/cli";
import { Capture, isRunning } from "./processes";
import { SECRET_SIG, SIG_KEY } from "../../../tools/gate/engineEncoding";
import { listStacks } from "../../../tools/gate/stacks";
import { type ProgramRun, runProgram } from "../../../tools/program/runUnderMocks";
import { type StackExportDoc, stackExportOf } from "./stackExportOf";

const ROOT = path.join(__dirname, "..", "..", "..");
/** What `npm run plan` / `npm run audit` run. */
const CLI = path.join(ROOT, "tools", "gate", "run.cjs");
const FIXTURES = path.join(ROOT, "test", "fixtures", "exports");

async function gate(args: string[], hooks: { onPackStart?: (pid: number) => void; projectDir?: string; packDir?: string } = {}) {
  const out = new Capture();
  const err = new Capture();
  const code = await runGate(args, out, err, false, hooks);
  return { code, stdout: out.text, stderr: err.text };
}

/** The real CLI in its own process (no TTY), as `npm run plan/audit` runs it. */
function cli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))) };
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

/** The contract for every failure: exit 2, nothing on stdout, exactly one line on stderr, no stack trace. */
function assertOneLineFailure(result: { code: number; stdout: string; stderr: string }, names: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.split("\n").length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.match(result.stderr, names);
  assert.doesNotMatch(result.stderr, /\n\s+at |\bat .*:\d+:\d+\)?$|\.ts:\d+/m, "no stack trace");
}

describe("gate CLI: plan and audit", function () {
  this.timeout(180_000);
  let dir: string;
  let prod: ProgramRun;
  let clean: StackExportDoc;
  let cleanFile: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-gate-"));
    prod = await runProgram("prod");
    clean = stackExportOf(prod);
    cleanFile = path.join(dir, "prod.json");
    fs.writeFileSync(cleanFile, JSON.stringify(clean));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("knows the stacks this repository sets up from its stack files", () => {
    assert.deepEqual(listStacks(), ["dev", "prod"]);
  });

  describe("stacks are data: any stack with a Pulumi.<stack>.yaml, and one line listing them otherwise", () => {
    let project: string;
    before(() => {
      project = fs.mkdtempSync(path.join(dir, "stacks-"));
      for (const name of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(ROOT, name), path.join(project, name));
      // A team's third stack: the gate knows it from its file alone.
      fs.writeFileSync(path.join(project, "Pulumi.staging.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    });

    it("lists the stacks of the project it is given", () => {
      assert.deepEqual(listStacks(project), ["dev", "prod", "staging"]);
    });

    const cases: [string, string[], RegExp][] = [
      ["an unknown stack (plan)", ["plan", "--stack", "qa"], /^--stack "qa" has no Pulumi\.qa\.yaml; stacks: dev, prod, staging$/m],
      ["an unknown stack (audit)", ["audit", "--file", "x.json", "--stack", "qa"], /^--stack "qa" has no Pulumi\.qa\.yaml; stacks: dev, prod, staging$/m],
      ["a name Pulumi refuses (a path)", ["plan", "--stack", "../prod"], /^--stack "\.\.\/prod" is not a stack name \(letters, digits, -, _ and \. only\); stacks: dev, prod, staging$/m],
      ["a name Pulumi refuses (a space)", ["plan", "--stack", "my stack"], /is not a stack name/],
      ["a stack without its policy config", ["plan", "--stack", "staging"], /^no policy config for stack staging: create policypacks\/security\/config\.staging\.json \(copy policypacks\/security\/config\.prod\.json and set this stack's accounts, project and zone\), or pass --policy-pack-config FILE$/m],
    ];
    for (const [what, args, message] of cases) {
      it(`${what}: exit 2, one line, before any pack starts`, async () => {
        let started = false;
        assertOneLineFailure(await gate(args, { projectDir: project, onPackStart: () => (started = true) }), message);
        assert.equal(started, false);
      });
    }

    it("audits a staging export with the policy config it is given (exit 0), and names the stack from the URNs", async () => {
      const staging = JSON.parse(JSON.stringify(stackExportOf(prod, { stubAssetText: true })).replaceAll("urn:pulumi:prod::", "urn:pulumi:staging::")) as StackExportDoc;
      const file = path.join(project, "staging.json");
      fs.writeFileSync(file, JSON.stringify(staging));
      const config = path.join(ROOT, "policypacks", "security", "config.prod.json");
      const result = await gate(["audit", "--file", file, "--policy-pack-config", config, "--json"], { projectDir: project });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as { stack: string }).stack, "staging");
      // Without the policy config the stack's own default is required, and named.
      assertOneLineFailure(await gate(["audit", "--file", file], { projectDir: project }), /^no policy config for stack staging: create policypacks\/security\/config\.staging\.json/);
      // An export of a stack this project does not set up is refused with the list.
      fs.writeFileSync(file, JSON.stringify(staging).replaceAll("urn:pulumi:staging::", "urn:pulumi:qa::"));
      assertOneLineFailure(await gate(["audit", "--file", file], { projectDir: project }), /^.*staging\.json's stack "qa" has no Pulumi\.qa\.yaml; stacks: dev, prod, staging$/m);
    });
  });

  describe("plan --export writes what pulumi stack export writes (the real exports' shape)", () => {
    const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as StackExportDoc;
    const keysOf = (objects: readonly object[]) => [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
    const secretsIn = (value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] => {
      if (value !== null && typeof value === "object") {
        if ((value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) found.push(value as Record<string, unknown>);
        else Object.values(value).forEach((v) => secretsIn(v, found));
      }
      return found;
    };

    for (const [file, mode] of [["prod-encrypted.json", "ciphertext"], ["prod-show-secrets.json", "plaintext"]] as const) {
      it(`has the key sets of ${file}: document, deployment, manifest, secrets provider, resources, secrets`, () => {
        const real = fixture(file);
        const ours = stackExportOf(prod, { secrets: mode });
        assert.deepEqual(Object.keys(ours).sort(), Object.keys(real).sort());
        assert.deepEqual(Object.keys(ours.deployment).sort(), Object.keys(real.deployment).sort());
        assert.deepEqual(Object.keys(ours.deployment.manifest).sort(), Object.keys(real.deployment.manifest).sort());
        assert.deepEqual(keysOf(ours.deployment.manifest.plugins), keysOf(real.deployment.manifest.plugins));
        assert.deepEqual(Object.keys(ours.deployment.secrets_providers).sort(), Object.keys(real.deployment.secrets_providers ?? {}).sort());
        // Every field the real export gives a resource, ours gives too (but "delete", which only an interrupted update leaves).
        assert.deepEqual(keysOf(ours.deployment.resources), keysOf(real.deployment.resources).filter((k) => k !== "delete"));
        // Omitted when empty, as ResourceV3's omitempty tags do (our stack exports no outputs, the Cloudflare provider takes its token from the environment).
        const OPTIONAL = ["dependencies", "propertyDependencies", "parent", "protect", "inputs", "outputs", "provider"];
        for (const kind of [(r: { type: string }) => r.type === "pulumi:pulumi:Stack", (r: { type: string }) => r.type.startsWith("pulumi:providers:"), (r: { custom: boolean; type: string }) => r.custom && !r.type.startsWith("pulumi:")]) {
          const theirs = real.deployment.resources.filter(kind);
          const mine = ours.deployment.resources.filter(kind);
          assert.ok(theirs.length > 0 && mine.length > 0);
          for (const key of keysOf(theirs).filter((k) => k !== "delete")) assert.ok(mine.every((r) => key in r || OPTIONAL.includes(key)), key);
        }
        assert.deepEqual(keysOf(secretsIn(ours)), keysOf(secretsIn(real)));
        assert.equal(ours.deployment.resources[0]?.type, "pulumi:pulumi:Stack", "the stack resource first");
        assert.equal(ours.deployment.manifest.magic, createHash("sha256").update(ours.deployment.manifest.version).digest("hex"));
        // Provider resources keep non-string inputs JSON-encoded, and references name "<urn>::<id>" of a provider in the file.
        const aws = ours.deployment.resources.find((r) => r.type === "pulumi:providers:aws");
        assert.equal(typeof aws?.inputs.allowedAccountIds, "string");
        const ids = new Map(ours.deployment.resources.map((r) => [r.urn, r.id]));
        for (const r of ours.deployment.resources.filter((x) => x.provider)) {
          const cut = (r.provider as string).lastIndexOf("::");
          assert.equal(ids.get((r.provider as string).slice(0, cut)), (r.provider as string).slice(cut + 2), r.urn);
        }
      });
    }
  });

  describe("bad usage exits 2 with one line naming the flag, before any pack starts", () => {
    const cases: [string, string[], RegExp][] = [
      ["an unknown flag", ["plan", "--stak", "prod"], /--stak/],
      ["an unknown stack", ["plan", "--stack", "qa"], /^--stack "qa" has no Pulumi\.qa\.yaml; stacks: dev, prod$/m],
      ["--show-secrets without --export", ["plan", "--stack", "dev", "--show-secrets"], /--show-secrets only applies to --export FILE/],
      ["--export given to audit", ["audit", "--file", "x.json", "--export", "y.json"], /--export and --show-secrets belong to plan/],
      ["two output formats", ["plan", "--stack", "dev", "--json", "--sarif"], /--json and --sarif/],
      ["plan without --stack", ["plan"], /plan needs --stack/],
      ["a flag without its value", ["plan", "--stack"], /--stack/],
      ["a stray argument", ["plan", "--stack", "dev", "prod"], /prod/],
      ["--file given to plan", ["plan", "--stack", "dev", "--file", "x.json"], /--file belongs to audit/],
      ["audit without --file", ["audit", "--stack", "prod"], /audit needs --file/],
      ["an unknown command", ["apply", "--stack", "dev"], /unknown command "apply"/],
      ["no command", [], /unknown command ""/],
    ];
    for (const [what, args, message] of cases) {
      it(`rejects ${what}`, async () => {
        let started = false;
        const result = await gate(args, { onPackStart: () => (started = true) });
        assertOneLineFailure(result, message);
        assert.equal(started, false);
      });
    }

    for (const args of [["--help"], ["plan", "--help"], ["audit", "-h"]]) {
      it(`prints usage and exits 0 for ${args.join(" ")}`, async () => {
        let started = false;
        const result = await gate(args, { onPackStart: () => (started = true) });
        assert.equal(result.code, 0);
        assert.match(result.stdout, /^usage:\n {2}npm run plan {2}-- --stack <stack>/);
        assert.match(result.stdout, /exit: {4}0 no mandatory violation, 1 a mandatory violation, 2 bad usage/);
        assert.equal(result.stderr, "");
        assert.equal(started, false);
      });
    }
  });

  describe("a bad stack or project file is a config error (2) naming the file and key, never a violation or a trace", () => {
    let project: string;
    const write = (name: string, text: string) => fs.writeFileSync(path.join(project, name), text);
    const original = (name: string) => fs.readFileSync(path.join(ROOT, name), "utf8");
    beforeEach(() => {
      project = fs.mkdtempSync(path.join(dir, "project-"));
      for (const name of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) write(name, original(name));
    });

    const cases: [string, string, (text: string) => string, string, RegExp][] = [
      ["malformed YAML", "Pulumi.dev.yaml", (t) => `${t}\n  botfleet:domain: [unclosed\n`, "dev", /^Pulumi\.dev\.yaml: line \d+, column \d+: not valid YAML/],
      ["a duplicate key", "Pulumi.dev.yaml", (t) => `${t}config:\n  aws:region: eu-west-1\n`, "dev", /^Pulumi\.dev\.yaml: line \d+, column \d+: not valid YAML \(duplicated mapping key\)/],
      ["dev's file malformed while planning prod (the program reads it)", "Pulumi.dev.yaml", (t) => `${t}\n\t- tab\n`, "prod", /^Pulumi\.dev\.yaml: line \d+/],
      ["config that is a list", "Pulumi.dev.yaml", () => "config:\n  - botfleet:domain\n", "dev", /^Pulumi\.dev\.yaml: "config" must be a mapping/],
      ["a key without its namespace", "Pulumi.dev.yaml", (t) => t.replace("botfleet:domain:", "domain:"), "dev", /^Pulumi\.dev\.yaml: config key "domain" must be namespaced, e\.g\. "botfleet:domain"/],
      ["a malformed project file", "Pulumi.yaml", (t) => `${t}\nconfig: [\n`, "dev", /^Pulumi\.yaml: line \d+/],
    ];
    for (const [what, file, edit, stack, message] of cases) {
      it(`${what}: exit 2 before the pack starts`, async () => {
        write(file, edit(original(file)));
        let started = false;
        const result = await gate(["plan", "--stack", stack], { projectDir: project, onPackStart: () => (started = true) });
        assertOneLineFailure(result, message);
        assert.equal(started, false);
      });
    }

    it("a missing stack file: exit 2 naming it", async () => {
      fs.rmSync(path.join(project, "Pulumi.prod.yaml"));
      assertOneLineFailure(await gate(["plan", "--stack", "prod"], { projectDir: project }), /^--stack "prod" has no Pulumi\.prod\.yaml; stacks: dev$/m);
    });

    it("a value of the wrong type: exit 2 naming the key (found by the program's checks), and the pack is stopped", async () => {
      write("Pulumi.dev.yaml", original("Pulumi.dev.yaml").replace(/botfleet:lambdaReservedConcurrency: .*/, "botfleet:lambdaReservedConcurrency: lots"));
      let pid = -1;
      const result = await gate(["plan", "--stack", "dev"], { projectDir: project, onPackStart: (p) => (pid = p) });
      assertOneLineFailure(result, /^Pulumi\.dev\.yaml: botfleet:lambdaReservedConcurrency: .*; got "lots"$/m);
      assert.equal(pid > 0 && isRunning(pid), false, "no pack left running");
    });
  });

  describe("a bad policy config exits 2 naming the file and key, and stops the pack it had started", () => {
    // Every other shape of a bad config is covered by packConfig.spec.ts; these go through the CLI.
    const cases: [string, string, RegExp][] = [
      ["a property of the wrong type", JSON.stringify({ "aws-provider-require-allowed-account": { accountId: 222222222222 } }), /config\.bad\.json: "aws-provider-require-allowed-account\.accountId" must be a string/],
      ["text that is not JSON", "{ nope", /policy config .*config\.bad\.json is not JSON/],
    ];
    for (const [what, text, message] of cases) {
      it(what, async () => {
        const badConfig = path.join(dir, "config.bad.json");
        fs.writeFileSync(badConfig, text);
        let pid = -1;
        const result = await gate(["audit", "--file", path.join(FIXTURES, "prod-encrypted.json"), "--policy-pack-config", badConfig], { onPackStart: (p) => (pid = p) });
        assertOneLineFailure(result, message);
        assert.equal(pid > 0 && isRunning(pid), false, "the pack process is gone");
      });
    }
  });

  describe("a state file that is not a stack export exits 2 naming the file and where in it", () => {
    const exportWith = (edit: (doc: StackExportDoc & Record<string, unknown>) => unknown) => {
      const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, "prod-encrypted.json"), "utf8")) as StackExportDoc & Record<string, unknown>;
      return JSON.stringify(edit(doc) ?? doc);
    };
    const resource = (doc: StackExportDoc, name: string) => doc.deployment.resources.find((r) => r.urn.endsWith(`::${name}`)) as StackExportDoc["deployment"]["resources"][number];
    const cases: [string, string, RegExp][] = [
      ["text that is not JSON", "{ nope", /--file .*bad\.json is not JSON/],
      ["an export of version 2", exportWith((d) => ({ ...d, version: 2 })), /bad\.json: "version" is 2, expected 3/],
      ["a version newer than the CLI writes", exportWith((d) => ({ ...d, version: 5 })), /"version" is 5, expected 3/],
      ["a checkpoint without its deployment", exportWith((d) => ({ version: d.version, checkpoint: d.deployment })), /bad\.json: "deployment" must be an object/],
      [
        "a secret with both ciphertext and plaintext",
        exportWith((d) => void Object.assign(resource(d, "backend-secrets-origin-value").inputs.secretString as object, { plaintext: '"x"' })),
        /bad\.json: deployment\.resources\[5\]\.inputs\.secretString: malformed secret: exactly one of "ciphertext" or "plaintext"/,
      ],
      [
        "a plaintext that is not JSON",
        exportWith((d) => void Object.assign(resource(d, "backend-http-health").outputs.requestParameters as object, { "overwrite:header.x-botfleet-origin-verify": { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: "not json" } })),
        /deployment\.resources\[7\]\.outputs\.requestParameters\.overwrite:header\.x-botfleet-origin-verify: malformed secret: "plaintext" must be the JSON encoding/,
      ],
      ["an unknown signature", exportWith((d) => void (resource(d, "backend-http-api").inputs.name = { "4dabf18193072939515e22adb298388d": "f00" })), /deployment\.resources\[6\]\.inputs\.name: unrecognised signature "f00"/],
      ["a resource without a URN", exportWith((d) => void (resource(d, "backend-http-api").urn = "backend-http-api")), /deployment\.resources\[6\]\.urn must be a Pulumi URN/],
      ["a provider reference without an id", exportWith((d) => void (resource(d, "backend-http-api").provider = "aws")), /deployment\.resources\[6\]\.provider must be "<provider urn>::<provider id>"/],
      ["dependencies that are not URNs", exportWith((d) => void (resource(d, "backend-http-health").dependencies = ["api"])), /deployment\.resources\[7\]\.dependencies\[0\] must be a Pulumi URN/],
    ];
    for (const [what, text, message] of cases) {
      it(what, async () => {
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, text);
        let started = false;
        assertOneLineFailure(await gate(["audit", "--file", bad], { onPackStart: () => (started = true) }), message);
        assert.equal(started, false);
      });
    }

    it("an unreadable file", async () => {
      const missing = path.join(dir, "no-such-state.json");
      assertOneLineFailure(await gate(["audit", "--file", missing]), new RegExp(`cannot read --file ${missing.replace(/[.]/g, "\\.")}: ENOENT`));
    });

    it("an export of another stack, without --stack", async () => {
      const staging = path.join(dir, "staging.json");
      fs.writeFileSync(staging, JSON.stringify(clean).replace(/urn:pulumi:prod::/g, "urn:pulumi:staging::"));
      assertOneLineFailure(await gate(["audit", "--file", staging]), /staging\.json's stack "staging" has no Pulumi\.staging\.yaml; stacks: dev, prod$/m);
    });
  });

  it("a policy that crashes on a resource is a failure of the pack (2), not a violation (1)", async () => {
    const crashing = path.join(ROOT, ".tmp", "crashing-policy-pack");
    fs.mkdirSync(crashing, { recursive: true });
    fs.writeFileSync(path.join(crashing, "package.json"), JSON.stringify({ name: "crashing-pack", version: "0.0.1", main: "index.js" }));
    fs.writeFileSync(path.join(crashing, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(crashing, "config.json"), "{}");
    fs.writeFileSync(
      path.join(crashing, "index.js"),
      'const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("crashing", { policies: [{ name: "reads-a-missing-field", description: "Crashes on keys.", enforcementLevel: "mandatory", validateResource: (args) => { if (args.type === "aws:kms/key:Key") args.props.policy.Statement.length; } }] });\n',
    );
    const result = await gate(["audit", "--file", path.join(FIXTURES, "prod-show-secrets.json"), "--policy-pack-config", path.join(crashing, "config.json")], { packDir: crashing });
    assertOneLineFailure(result, /^policy pack failed on urn:pulumi:prod::botfleet::botfleet:aws:Secrets\$aws:kms\/key:Key::backend-secrets-key: .*reads-a-missing-field/);
  });

  it("audits a real export of our prod program (secrets encrypted, bundles included): exit 0, the encrypted secrets named", async () => {
    let pid = -1;
    const result = await gate(["audit", "--file", cleanFile], { onPackStart: (p) => (pid = p) });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^botfleet audit: stack prod, policy pack botfleet-security@v[\d.]+ \(\d+ policies\)/);
    assert.match(result.stdout, /\n {5}pulumi:pulumi:Stack +botfleet-prod\n {5}├─ /, "resources as a tree under the stack");
    assert.match(result.stdout, /\n {4}\d+ secrets are encrypted in this export and were judged as values not known\n/);
    assert.match(result.stdout, /0 mandatory and 0 advisory violations: PASSED$/m);
    assert.ok(!result.stdout.includes("\u001b["), "no ANSI colour codes off a TTY");
    assert.equal(isRunning(pid), false);
  });

  it("audit --json of a --show-secrets export: exit 0, the documented fields first, nothing encrypted", async () => {
    const shown = path.join(dir, "prod-shown.json");
    fs.writeFileSync(shown, JSON.stringify(stackExportOf(prod, { secrets: "plaintext", stubAssetText: true })));
    const { code, stdout, stderr } = await gate(["audit", "--file", shown, "--json"]);
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as { stack: string; resources: Record<string, unknown>[]; violations: unknown[]; passed: string[]; summary: { encryptedSecrets: number } };
    assert.deepEqual(Object.keys(doc).slice(0, 3), ["stack", "resources", "violations"]);
    assert.equal(doc.stack, "prod");
    for (const r of doc.resources) assert.deepEqual(Object.keys(r), ["urn", "type", "name"]);
    assert.deepEqual(doc.violations, []);
    assert.ok(doc.passed.includes("aws-kms-key-require-rotation"));
    assert.equal(doc.summary.encryptedSecrets, 0);
  });

  it("audit of a misconfigured export: exit 1, SARIF 2.1.0 naming the policy at the resource (real process)", async () => {
    const mutated = stackExportOf(prod, { stubAssetText: true });
    const table = mutated.deployment.resources.find((r) => r.type === "aws:dynamodb/table:Table");
    assert.ok(table, "the program has a table");
    table.inputs.pointInTimeRecovery = { enabled: false };
    table.outputs.pointInTimeRecovery = { enabled: false };
    const mutatedFile = path.join(dir, "prod-mutated.json");
    fs.writeFileSync(mutatedFile, JSON.stringify(mutated));
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
    const results = run?.results.filter((r) => r.ruleId === "aws-dynamodb-table-require-point-in-time-recovery") ?? [];
    assert.equal(results.length, 1);
    assert.equal(results[0]?.level, "error");
    assert.match(results[0]?.message.text ?? "", /Set pointInTimeRecovery/);
    assert.match(results[0]?.locations[0]?.logicalLocations[0]?.fullyQualifiedName ?? "", /aws:dynamodb\/table:Table::/);
    assert.match(results[0]?.locations[0]?.physicalLocation.artifactLocation.uri ?? "", /prod-mutated\.json$/);
  });

  it("plan --stack dev --json --export (real process): exit 0, the documented fields first, then phases, passes and deferrals; the export audits the same", async () => {
    const exported = path.join(dir, "dev-state.json");
    const { code, stdout, stderr } = await cli(["plan", "--stack", "dev", "--json", "--export", exported]).done;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^wrote .*dev-state\.json: the state of stack dev after up, as pulumi stack export writes it \(\d+ resources; [1-9]\d* secrets encrypted with a throwaway key/);
    const doc = JSON.parse(stdout) as {
      stack: string;
      resources: Record<string, unknown>[];
      violations: unknown[];
      passed: string[];
      deferred: { policy: string; urn: string; reason: string; phase: string; atUp: string }[];
      policies: { name: string; ran: number; passed: number; failed: number; deferred: number }[];
      summary: { unknownsAtPreview: { inputs: number } };
    };
    assert.deepEqual(Object.keys(doc).slice(0, 3), ["stack", "resources", "violations"]);
    assert.equal(doc.stack, "dev");
    assert.ok(doc.resources.length > 10);
    for (const r of doc.resources) assert.deepEqual(Object.keys(r), ["urn", "type", "name"]);
    assert.ok(doc.resources.some((r) => r.type === "pulumi:pulumi:Stack"), "the root stack resource is judged too");
    assert.deepEqual(doc.violations, []);
    assert.ok(doc.passed.length > 10);
    assert.ok(doc.summary.unknownsAtPreview.inputs > 0, "a first preview has unknown inputs");
    // What a first preview cannot decide is decided by the up pass — and passes there.
    assert.ok(doc.deferred.length > 0);
    for (const d of doc.deferred) {
      assert.equal(d.phase, "preview");
      assert.equal(d.atUp, "passed", `${d.policy} on ${d.urn}`);
    }
    const permission = doc.policies.find((p) => p.name === "aws-lambda-permission-require-source-arn");
    assert.ok(permission && permission.ran > 0 && permission.passed === permission.ran);

    // The round trip: the export is a state audit accepts, judged as plan's up pass judged the program.
    assert.equal(fs.statSync(exported).mode & 0o777, 0o600);
    const text = fs.readFileSync(exported, "utf8");
    assert.ok(!text.includes("offline-placeholder-not-a-real-secret"), "no secret value in clear without --show-secrets");
    const state = JSON.parse(text) as StackExportDoc;
    assert.equal(state.version, 3);
    assert.equal(state.deployment.resources.length, doc.resources.length);
    const audit = await gate(["audit", "--file", exported, "--json"]);
    assert.equal(audit.code, 0, audit.stderr);
    const judged = JSON.parse(audit.stdout) as typeof doc & { summary: { encryptedSecrets: number } };
    assert.equal(judged.stack, "dev");
    assert.deepEqual(judged.resources, doc.resources);
    assert.deepEqual(judged.violations, doc.violations);
    assert.deepEqual(judged.passed, doc.passed);
    assert.deepEqual(judged.deferred, [], "nothing in the state is unknown, and no policy reads a secret's value");
    const counts = (policies: typeof doc.policies) => policies.map((p) => ({ name: p.name, ran: p.ran, passed: p.passed, failed: p.failed }));
    assert.deepEqual(counts(judged.policies), counts(doc.policies), "each policy runs, passes and fails at audit as it did at up");
    assert.ok(judged.summary.encryptedSecrets > 0);
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
