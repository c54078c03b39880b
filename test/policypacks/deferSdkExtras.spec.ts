import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");
const TRANSPILE = path.join(ROOT, "tools", "gate", "transpile.cjs");
const DEFER = path.join(ROOT, "policypacks", "security", "lib", "deferSdkExtras.ts");
/** The module's SDK_EXTRAS, not imported: importing the module would install its hook in this process. */
const SDK_EXTRAS = ["typescript", "@npmcli/arborist", "normalize-package-data", "execa"];
/** JavaScript, for a child process: which of them that process has loaded so far. */
const LOADED_SO_FAR = `${JSON.stringify(SDK_EXTRAS)}.filter((name) => Object.keys(require.cache).some((file) => file.includes("/node_modules/" + name + "/")))`;

/**
 * Runs `body` in a fresh node process (the hook is process-wide, so never in this one) after the
 * hook, as the gate's run.cjs installs it; `loaded()` there lists which of the deferred modules
 * have been loaded. Returns what the body printed, parsed.
 */
async function inFreshProcess<T>(body: string, options: { hook?: boolean; cwd?: string } = {}): Promise<T> {
  const script = `
require(${JSON.stringify(TRANSPILE)}).register();
${options.hook === false ? "" : `require(${JSON.stringify(DEFER)});`}
const loaded = () => ${LOADED_SO_FAR};
const print = (value) => process.stdout.write("\\n@@" + JSON.stringify(value) + "\\n");
(async () => { ${body} })().then(() => process.exit(0), (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;
  const { stdout } = await run(process.execPath, ["-e", script], { cwd: options.cwd ?? ROOT, maxBuffer: 16 * 1024 * 1024 });
  const line = stdout.split("\n").find((l) => l.startsWith("@@"));
  assert.ok(line, `nothing printed: ${stdout}`);
  return JSON.parse(line.slice(2)) as T;
}

describe("Pulumi's SDK loads without its function-serialization and Automation API modules (lib/deferSdkExtras.ts)", function () {
  this.timeout(60_000);

  it("loads none of them with @pulumi/pulumi, and without the hook it loads them all (the saving is real)", async () => {
    const deferred = await inFreshProcess<string[]>(`require("@pulumi/pulumi"); print(loaded());`);
    assert.deepEqual(deferred, []);
    const eager = await inFreshProcess<string[]>(`require("@pulumi/pulumi"); print(loaded());`, { hook: false });
    assert.deepEqual([...eager].sort(), [...SDK_EXTRAS].sort());
  });

  it("still serializes a function (TypeScript's parser, loaded on first use) and still computes a closure's code paths (arborist, normalize-package-data)", async () => {
    const result = await inFreshProcess<{ text: boolean; afterSerialize: string[]; paths: number; afterPaths: string[] }>(`
      const pulumi = require("@pulumi/pulumi");
      const serialized = await pulumi.runtime.serializeFunction(async () => 40 + 2);
      const afterSerialize = loaded();
      const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["zod"] });
      print({ text: serialized.text.includes("40 + 2"), afterSerialize, paths: [...paths.keys()].filter((p) => p.endsWith("/zod")).length, afterPaths: loaded() });`);
    assert.equal(result.text, true);
    assert.deepEqual(result.afterSerialize, ["typescript"]);
    // The package asked for is among the folders a CallbackFunction would upload.
    assert.equal(result.paths, 1);
    assert.deepEqual(result.afterPaths.sort(), ["@npmcli/arborist", "normalize-package-data", "typescript"]);
  });

  it("still runs the Pulumi CLI through the Automation API (execa, loaded on first use)", async () => {
    // A stand-in CLI: the Automation API only runs `<root>/bin/pulumi version` here.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-fake-cli-"));
    try {
      fs.mkdirSync(path.join(root, "bin"));
      fs.writeFileSync(path.join(root, "bin", "pulumi"), "#!/bin/sh\necho v3.248.0\n", { mode: 0o755 });
      const result = await inFreshProcess<{ version: string; before: string[]; after: string[] }>(`
        const { PulumiCommand } = require("@pulumi/pulumi/automation");
        const before = loaded();
        const cli = await PulumiCommand.get({ root: ${JSON.stringify(root)}, skipVersionCheck: true });
        print({ version: String(cli.version), before, after: loaded() });`);
      assert.deepEqual(result, { version: "3.248.0", before: [], after: ["execa"] });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("defers only Pulumi's own requires, and only of a module not loaded yet: others get the real one, callable as itself", async () => {
    const result = await inFreshProcess<{ execa: string; tsVersion: string; shimIsReal: boolean }>(`
      // Loaded before Pulumi, so Pulumi's shim hands out the very same object.
      const ts = require("typescript");
      require("@pulumi/pulumi");
      const shim = require("@pulumi/pulumi/typescript-shim");
      const execa = require("execa");
      print({ execa: typeof execa, tsVersion: typeof ts.version, shimIsReal: shim === ts });`);
    assert.deepEqual(result, { execa: "function", tsVersion: "string", shimIsReal: true });
  });

  it("leaves a name that does not resolve to Node, so a caller's fallback still runs", async () => {
    const result = await inFreshProcess<{ code: string }>(`
      const { deferModules } = require(${JSON.stringify(DEFER)});
      deferModules(["botfleet-no-such-module"], "@pulumi/pulumi");
      const requireFromPulumi = require("node:module").createRequire(require.resolve("@pulumi/pulumi"));
      try { requireFromPulumi("botfleet-no-such-module"); print({ code: "none" }); } catch (error) { print({ code: error.code }); }`);
    assert.deepEqual(result, { code: "MODULE_NOT_FOUND" });
  });

  it("is in place in `npm run plan` (run.cjs): a whole plan, both passes, never loads them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-plan-modules-"));
    try {
      const report = path.join(dir, "loaded.json");
      // Preloaded into the gate's process only (NODE_OPTIONS would reach the pack's too): lists them at exit.
      const preload = path.join(dir, "record.cjs");
      fs.writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(${LOADED_SO_FAR})));`);
      const { stdout } = await run(process.execPath, ["-r", preload, path.join(ROOT, "tools", "gate", "run.cjs"), "plan", "--stack", "dev", "--json"], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
      assert.ok((JSON.parse(stdout) as { resources: unknown[] }).resources.length > 100);
      assert.deepEqual(JSON.parse(fs.readFileSync(report, "utf8")), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is in place in the policy pack's own entry point, before @pulumi/policy loads the SDK", async () => {
    // Loading the entry point starts the pack's gRPC server (its port goes to stdout); the process then exits.
    const result = await inFreshProcess<string[]>(`require(${JSON.stringify(path.join(ROOT, "policypacks", "security", "index.ts"))}); print(loaded());`, { hook: false });
    assert.deepEqual(result, []);
  });
});
