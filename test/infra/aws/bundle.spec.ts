import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUNDLE_FILE, ESM_REQUIRE_BANNER, bundleArchive, bundleEntry, buildUncached } from "../../../infra/aws/bundle";
import { existingHandlers, handlerEntry } from "../../../infra/aws/handlers";
import { LOCAL_SECRET_ENV } from "../../../runtime/env";

const FIXTURE = "test/infra/aws/fixtures/sdkHandler.ts";

/** Writes a bundle to a fresh directory and runs `script` against it in a fresh node process. */
function runInNode(code: string, script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-bundle-"));
  try {
    const file = path.join(dir, BUNDLE_FILE);
    fs.writeFileSync(file, code);
    const dummies = Object.fromEntries(Object.values(LOCAL_SECRET_ENV).map((name) => [name, "0".repeat(64)]));
    return execFileSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(`file://${file}`)});\n${script}`], {
      env: { PATH: process.env.PATH, BOTFLEET_MODE: "local", ...dummies },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function archiveFiles(archive: ReturnType<typeof bundleArchive>): Promise<Record<string, string>> {
  const assets = (await archive.assets) as Record<string, { text: Promise<string> }>;
  const files: Record<string, string> = {};
  for (const [name, asset] of Object.entries(assets)) files[name] = await asset.text;
  return files;
}

describe("aws lambda bundles", () => {
  it("builds an ES module that defines require for CommonJS dependencies and exports handler", () => {
    const { code } = bundleEntry(FIXTURE);
    assert.ok(code.startsWith(ESM_REQUIRE_BANNER), "the createRequire banner comes first");
    assert.ok(/export\{[\w$]+ as handler\};\n/.test(code.slice(-300)), "ends with an ESM export of handler");
    assert.ok(code.trimEnd().endsWith("//# sourceMappingURL=index.mjs.map"), "links its source map");
  });

  it("bundles the AWS SDK instead of relying on the Lambda runtime's copy", () => {
    const { code } = bundleEntry(FIXTURE);
    assert.ok(!/from\s*"@aws-sdk\//.test(code), "no bare @aws-sdk import left");
    assert.ok(code.includes("dynamodb"), "the DynamoDB client is inside the bundle");
  });

  it("runs in a fresh node process as ESM and answers an event", () => {
    const out = runInNode(bundleEntry(FIXTURE).code, 'process.stdout.write(JSON.stringify(await m.handler({ body: "x" })));');
    const result = JSON.parse(out) as { statusCode: number; body: string };
    assert.equal(result.statusCode, 200);
    assert.deepEqual(JSON.parse(result.body), { region: "eu-west-1", digest: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" });
  });

  it("writes a source map whose paths are relative to the repo and hold no sources", () => {
    const map = JSON.parse(bundleEntry(FIXTURE).map) as { sources: string[]; sourcesContent?: unknown };
    assert.ok(map.sources.includes(`../../${FIXTURE}`), map.sources.slice(0, 5).join(", "));
    assert.ok(map.sources.every((s) => !path.isAbsolute(s)), "no absolute path of the build machine");
    assert.equal(map.sourcesContent, undefined);
  });

  it("is byte-identical on a second build, and so is its archive", async () => {
    const first = bundleEntry(FIXTURE);
    const second = buildUncached(FIXTURE);
    assert.ok(first !== second, "a real second build, not the cache");
    assert.equal(second.code, first.code);
    assert.equal(second.map, first.map);
    const [a, b] = await Promise.all([archiveFiles(bundleArchive(FIXTURE)), archiveFiles(bundleArchive(FIXTURE))]);
    assert.deepEqual(Object.keys(a).sort(), [BUNDLE_FILE, `${BUNDLE_FILE}.map`]);
    assert.deepEqual(a, b);
  });

  it("fails loudly on an entry that does not build", () => {
    assert.throws(() => bundleEntry("test/infra/aws/fixtures/missing.ts"), /bundling test\/infra\/aws\/fixtures\/missing\.ts failed/);
  });

  for (const handler of existingHandlers()) {
    describe(`runtime handler ${handler}`, () => {
      it("bundles to an ES module whose handler export is a function", () => {
        const { code } = bundleEntry(handlerEntry(handler));
        assert.equal(runInNode(code, "process.stdout.write(typeof m.handler);"), "function");
      });

      it("is byte-identical on a second build", () => {
        assert.equal(buildUncached(handlerEntry(handler)).code, bundleEntry(handlerEntry(handler)).code);
      });
    });
  }
});
