import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import type { Server } from "node:http";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { ARCHIVE_DIR, BUILTIN_SHIMS, BUNDLE_FILE, type Bundle, ESM_REQUIRE_BANNER, bundleArchive, bundleEntry, bundleWithDiskCache, buildUncached } from "../../../infra/aws/bundle";
import { existingHandlers, handlerEntry } from "../../../infra/aws/handlers";
import { LOCAL_SECRET_ENV } from "../../../runtime/env";

const FIXTURE = "test/infra/aws/fixtures/sdkHandler.ts";

const run = promisify(execFile);

/** Writes a bundle's files (entry and split chunks) to a fresh directory and runs `script` against it in a fresh node process. */
async function runInNode(bundle: Bundle, script: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-bundle-"));
  try {
    const file = path.join(dir, BUNDLE_FILE);
    for (const [name, text] of Object.entries(bundle.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const dummies = Object.fromEntries(Object.values(LOCAL_SECRET_ENV).map((name) => [name, "0".repeat(64)]));
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(`file://${file}`)});\n${script}`], {
      // No HOME: a credential the SDK found in ~/.aws would hide a broken bundled chain.
      env: { PATH: process.env.PATH, HOME: dir, BOTFLEET_MODE: "local", NODE_NO_WARNINGS: "1", AWS_EC2_METADATA_DISABLED: "true", ...dummies, ...extraEnv },
      encoding: "utf8",
      timeout: 30_000,
    });
    return stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The archive's members as files on disk: each a FileAsset whose path the engine would read. */
async function archiveFiles(archive: ReturnType<typeof bundleArchive>): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [name, asset] of Object.entries(await archive.assets)) {
    assert.ok(asset instanceof pulumi.asset.FileAsset, `${name} is a FileAsset`);
    files[name] = fs.readFileSync(await asset.path, "utf8");
  }
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

  it("runs in a fresh node process as ESM and answers an event", async () => {
    const out = await runInNode(bundleEntry(FIXTURE), 'process.stdout.write(JSON.stringify(await m.handler({ body: "x" })));');
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
    assert.deepEqual(Object.keys(a).sort(), Object.keys(first.files).sort());
    assert.ok(Object.keys(a).includes(BUNDLE_FILE) && Object.keys(a).includes(`${BUNDLE_FILE}.map`));
    assert.deepEqual(second.files, first.files, "chunks too");
    assert.deepEqual(a, b);
  });

  describe("code archive", () => {
    it("is made of the bundle's files in the project, by relative path, never of their text", async () => {
      const archive = bundleArchive(FIXTURE);
      const assets = await archive.assets;
      const bundle = bundleEntry(FIXTURE);
      assert.deepEqual(Object.keys(assets).sort(), Object.keys(bundle.files).sort());
      for (const [name, asset] of Object.entries(assets)) {
        assert.ok(asset instanceof pulumi.asset.FileAsset, name);
        const file = await asset.path;
        // Relative: the engine and the providers resolve it against the project directory (their cwd).
        assert.ok(!path.isAbsolute(file), file);
        assert.ok(path.resolve(file).startsWith(`${ARCHIVE_DIR}${path.sep}`), `${file} is under ${ARCHIVE_DIR}`);
        assert.ok(path.resolve(file).endsWith(`${path.sep}${name.split("/").join(path.sep)}`), `${file} keeps its archive path`);
        assert.equal(fs.readFileSync(file, "utf8"), bundle.files[name], `${name} holds the bundle's bytes`);
      }
    });

    it("keeps each content in a directory of its own, holding only the bundle's files", async () => {
      const dirOf = async (archive: ReturnType<typeof bundleArchive>) => path.dirname(path.resolve(await ((await archive.assets)[BUNDLE_FILE] as pulumi.asset.FileAsset).path));
      const fixtureDir = await dirOf(bundleArchive(FIXTURE));
      assert.notEqual(await dirOf(bundleArchive("test/infra/aws/fixtures/lazyEntry.ts")), fixtureDir, "another content, another directory");
      assert.match(path.basename(fixtureDir), /^sdkHandler-[0-9a-f]{32}$/);
      const listed = (fs.readdirSync(fixtureDir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(fixtureDir, f)).isFile());
      assert.deepEqual(listed.map((f) => f.split(path.sep).join("/")).sort(), Object.keys(bundleEntry(FIXTURE).files).sort());
    });
  });

  describe("code splitting", () => {
    const LAZY = "test/infra/aws/fixtures/lazyEntry.ts";

    it("puts a dynamically imported module in its own chunk that a cold start does not read", () => {
      const bundle = bundleEntry(LAZY);
      const chunks = Object.keys(bundle.files).filter((name) => name.startsWith("chunks/") && name.endsWith(".mjs"));
      assert.equal(chunks.length, 1, Object.keys(bundle.files).join(", "));
      assert.ok(chunks.every((chunk) => bundle.files[chunk]?.includes("loaded on demand")));
      assert.ok(!bundle.code.includes("loaded on demand"), "the entry does not contain the lazy module");
      assert.deepEqual(bundle.startup, [BUNDLE_FILE]);
      assert.ok(chunks.every((chunk) => bundle.files[`${chunk}.map`] !== undefined), "each chunk has its map");
    });

    it("loads the chunk only on the path that imports it, in a fresh node process", async () => {
      const script = "const a = await m.handler({}); const b = await m.handler({ lazy: true }); process.stdout.write(JSON.stringify([a, b]));";
      assert.deepEqual(JSON.parse(await runInNode(bundleEntry(LAZY), script)), [{ loadedBefore: false }, { loadedBefore: false, value: "loaded on demand" }]);
    });

    it("ships every chunk in the archive", async () => {
      const files = await archiveFiles(bundleArchive(LAZY));
      assert.deepEqual(Object.keys(files).sort(), Object.keys(bundleEntry(LAZY).files).sort());
    });
  });

  describe("with the Lambda credential chain (credentials from the environment only)", () => {
    let server: Server;
    let endpoint: string;
    before(async () => {
      // dynalite ships no types.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const dynalite = require("dynalite") as (options: object) => Server;
      server = dynalite({});
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      endpoint = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const listTables = 'process.stdout.write(JSON.stringify(await m.handler({ listTables: true })));';

    it("signs a real SDK call with the credentials Lambda puts in the environment", async () => {
      const out = await runInNode(bundleEntry(FIXTURE), listTables, {
        FIXTURE_DYNAMODB_ENDPOINT: endpoint,
        AWS_ACCESS_KEY_ID: "AKIDFIXTURE",
        AWS_SECRET_ACCESS_KEY: "fixture-secret",
        AWS_SESSION_TOKEN: "fixture-session",
      });
      assert.deepEqual(JSON.parse(out), { statusCode: 200, body: JSON.stringify({ tables: [] }) });
    });

    it("fails without them instead of looking for other credential sources", async () => {
      const out = await runInNode(bundleEntry(FIXTURE), listTables, { FIXTURE_DYNAMODB_ENDPOINT: endpoint });
      assert.deepEqual(JSON.parse(out), { statusCode: 500, body: JSON.stringify({ error: "CredentialsProviderError" }) });
    });
  });

  it("replaces only the shimmed packages, with files that exist", () => {
    for (const [pkg, shim] of Object.entries(BUILTIN_SHIMS)) assert.ok(fs.existsSync(shim), `${pkg} → ${shim}`);
    const { code } = bundleEntry(FIXTURE);
    assert.ok(!code.includes("fromSSO") && !code.includes("credential-provider-ini"), "the SSO/ini links of the default chain are not bundled");
  });

  describe("disk cache across runs", () => {
    // Sources inside the project (bundle paths are project-relative), under the ignored .tmp/.
    const dir = path.join(__dirname, "../../../.tmp/bundle-cache-spec", String(process.pid));
    const entry = path.relative(path.join(__dirname, "../../.."), path.join(dir, "entry.ts"));
    const dependency = path.join(dir, "greeting.ts");
    before(() => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "entry.ts"), 'import { greeting } from "./greeting";\nexport const handler = () => greeting;\n');
      fs.writeFileSync(dependency, 'export const greeting = "first";\n');
    });
    // The directories of this suite's own entry (its name is "entry"), removed afterwards.
    const entryDirs = () => (fs.existsSync(ARCHIVE_DIR) ? fs.readdirSync(ARCHIVE_DIR).filter((d) => /^entry-[0-9a-f]{32}$/.test(d)) : []);
    let existing: Set<string>;
    before(() => (existing = new Set(entryDirs())));
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      for (const d of entryDirs()) if (!existing.has(d)) fs.rmSync(path.join(ARCHIVE_DIR, d), { recursive: true, force: true });
    });

    it("returns exactly the bytes of a fresh build, and rebuilds when any input changes", () => {
      const first = bundleWithDiskCache(entry);
      assert.deepEqual(bundleWithDiskCache(entry), first, "a hit equals the first build");
      assert.deepEqual(buildUncached(entry), first, "and equals an uncached build");
      assert.match(first.code, /first/);
      fs.writeFileSync(dependency, 'export const greeting = "second";\n');
      const second = bundleWithDiskCache(entry);
      assert.match(second.code, /second/, "an edited dependency invalidates the entry");
      assert.doesNotMatch(second.code, /first/);
      assert.deepEqual(second, buildUncached(entry));
    });

    const rewrite = (text: string, mtime: Date) => {
      fs.writeFileSync(dependency, `export const greeting = "${text}";\n`);
      fs.utimesSync(dependency, mtime, mtime);
    };

    it("re-reads an input changed recently even when its size and modification time look the same", () => {
      // Within a file system's timestamp granularity a rewrite can keep both: such files are hashed again.
      const recently = new Date(Date.now() - 1_000);
      rewrite("aaaaa", recently);
      assert.match(bundleWithDiskCache(entry).code, /aaaaa/);
      rewrite("bbbbb", recently);
      assert.match(bundleWithDiskCache(entry).code, /bbbbb/);
    });

    it("trusts a settled input's inode, size and modification time without reading it, as git's index does", () => {
      const anHourAgo = new Date(Date.now() - 3_600_000);
      rewrite("ccccc", anHourAgo);
      assert.match(bundleWithDiskCache(entry).code, /ccccc/);
      // Only a deliberate rewrite that restores the old time to the nanosecond goes unseen.
      rewrite("ddddd", anHourAgo);
      assert.match(bundleWithDiskCache(entry).code, /ccccc/);
      rewrite("eeeee", new Date());
      assert.match(bundleWithDiskCache(entry).code, /eeeee/, "an ordinary edit changes the time");
    });

    const dirHolding = (code: string) => entryDirs().find((d) => fs.readFileSync(path.join(ARCHIVE_DIR, d, BUNDLE_FILE), "utf8") === code);
    const age = (d: string, ms: number) => fs.utimesSync(path.join(ARCHIVE_DIR, d), new Date(Date.now() - ms), new Date(Date.now() - ms));
    const DAYS = 24 * 3_600_000;

    it("keeps an earlier content's directory while it may be in use, and deletes it once unused for a day", () => {
      rewrite("fffff", new Date());
      const f = dirHolding(bundleWithDiskCache(entry).code) as string;
      rewrite("ggggg", new Date());
      const g = dirHolding(bundleWithDiskCache(entry).code) as string;
      assert.ok(f && g && f !== g);
      assert.ok(entryDirs().includes(f), "a run in parallel may still be reading the fffff bundle");
      age(f, 2 * DAYS);
      age(g, 2 * DAYS);
      // Using a content renews its time (a `pulumi up` reads its files after registering the function).
      rewrite("ggggg", new Date());
      assert.equal(dirHolding(bundleWithDiskCache(entry).code), g);
      rewrite("hhhhh", new Date());
      const h = dirHolding(bundleWithDiskCache(entry).code);
      assert.ok(h && h !== g);
      assert.ok(!entryDirs().includes(f), "unused for two days: deleted when a new content was written");
      assert.ok(entryDirs().includes(g), "used a moment ago: kept");
    });
  });

  it("fails loudly on an entry that does not build", () => {
    assert.throws(() => bundleEntry("test/infra/aws/fixtures/missing.ts"), /bundling test\/infra\/aws\/fixtures\/missing\.ts failed/);
  });

  for (const handler of existingHandlers()) {
    describe(`runtime handler ${handler}`, () => {
      it("bundles to an ES module whose handler export is a function", async () => {
        assert.equal(await runInNode(bundleEntry(handlerEntry(handler)), "process.stdout.write(typeof m.handler);"), "function");
      });

      it("is byte-identical on a second build, chunks included", () => {
        assert.deepEqual(buildUncached(handlerEntry(handler)).files, bundleEntry(handlerEntry(handler)).files);
      });
    });
  }
});
