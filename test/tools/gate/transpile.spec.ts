import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

// The hook is plain CommonJS (it runs before any TypeScript loader).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transpiled } = require("../../../tools/gate/transpile.cjs") as {
  transpiled(filename: string, source: string, cacheDir?: string): string;
};

const run = promisify(execFile);
const HOOK = path.join(__dirname, "..", "..", "..", "tools", "gate", "transpile.cjs");

/** Uses everything of TypeScript the gate's sources use: types, enums, class fields under ES2022, `import type`, interop with CommonJS. */
const MODULE = `import type { Stats } from "node:fs";
import * as path from "node:path";
import pathDefault from "node:path";
import { helper } from "./helper";

export enum Level { Low = 1, High }
class Base {
  constructor() {
    this.init();
  }
  init(): void {}
}
class Derived extends Base {
  // ES2022 class fields (the project's target) are defined after super() returns: this stays 1.
  value = 1;
  override init(): void {
    this.value = 2;
  }
}
const stats: Stats | undefined = undefined;
export const result = { level: Level.High, value: new Derived().value, joined: path.join("a", "b"), namespaceIsDefault: pathDefault === path, helper: helper(), typeOnly: stats === undefined };
export default "the default";
`;

describe("npm run plan/audit load TypeScript through a cached transpile (tools/gate/transpile.cjs)", () => {
  let dir: string;
  let cache: string;
  const file = () => path.join(dir, "module.ts");
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-transpile-"));
    cache = path.join(dir, "cache");
    fs.writeFileSync(file(), MODULE);
    fs.writeFileSync(path.join(dir, "helper.ts"), "export const helper = (): string => 'helped';\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("loads a module exactly as tsx loads it (the loader the tests and tools use)", async () => {
    const viaHook = await run(process.execPath, ["-e", `require(${JSON.stringify(HOOK)}).register(${JSON.stringify(cache)}); const m = require(${JSON.stringify(file())}); console.log(JSON.stringify({ result: m.result, def: m.default }))`]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const viaTsx = require(file()) as { result: unknown; default: unknown };
    assert.deepEqual(JSON.parse(viaHook.stdout), { result: viaTsx.result, def: viaTsx.default });
    // As tsc emits with esModuleInterop: a namespace import is a copy of the module with a default.
    assert.deepEqual(viaTsx.result, { level: 2, value: 1, joined: path.join("a", "b"), namespaceIsDefault: false, helper: "helped", typeOnly: true });
  });

  it("serves a file from the cache while its text is unchanged, and transpiles it again once it changes", () => {
    const first = transpiled(file(), MODULE, cache);
    const entries = fs.readdirSync(cache).filter((f) => f.startsWith("module-"));
    assert.equal(entries.length, 1, "one cache entry per source file");
    const entry = path.join(cache, entries[0] as string);
    // Mark the cached body: what comes back is read from the cache, not transpiled again.
    fs.writeFileSync(entry, fs.readFileSync(entry, "utf8").replace("the default", "from the cache"));
    assert.match(transpiled(file(), MODULE, cache), /from the cache/);
    const edited = MODULE.replace("the default", "edited");
    assert.match(transpiled(file(), edited, cache), /edited/);
    assert.deepEqual(
      fs.readdirSync(cache).filter((f) => f.startsWith("module-")),
      entries,
      "the entry is replaced, not added to",
    );
    assert.doesNotMatch(fs.readFileSync(entry, "utf8"), /from the cache/);
    assert.match(first, /the default/);
  });

  it("fails on a syntax error naming the file and line, and caches nothing for it", () => {
    const broken = path.join(dir, "broken.ts");
    assert.throws(() => transpiled(broken, "export const x = ;\n", cache), (err: Error) => err.message.includes("broken.ts:1:"));
    assert.equal(
      fs.readdirSync(cache).some((f) => f.startsWith("broken-")),
      false,
    );
  });

  it("is used by npm run plan and audit (package.json runs tools/gate/run.cjs)", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.plan, "node tools/gate/run.cjs plan");
    assert.equal(scripts.audit, "node tools/gate/run.cjs audit");
  });
});
