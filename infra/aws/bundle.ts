import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as esbuild from "esbuild";

/**
 * Bundles one runtime/ entry point into ES modules for the nodejs22.x Lambda runtime, at
 * preview/up time. Everything is bundled, the AWS SDK included (never the runtime's own copy: its
 * version changes under us, so the code we tested would not be the code that runs). The output is
 * deterministic — same sources, same bytes — so an unchanged handler never shows as a diff.
 *
 * Code splitting is on (esbuild supports it for ESM output, which Lambda's nodejs22.x runs
 * natively): a module the code loads with a dynamic `import()` becomes its own chunk under
 * chunks/, read from disk only when that path runs. That keeps rarely used, heavy clients (the GCS
 * archive for downloads, the Lambda client for deferred interactions) out of every cold start.
 */

/** The project root: bundle paths (and so source-map paths) are relative to it, never absolute. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Lambda's handler setting for every bundle: file index.mjs, export `handler`. */
export const BUNDLE_FILE = "index.mjs";
export const LAMBDA_HANDLER = "index.handler";

/**
 * Some dependencies are CommonJS and `require()` Node built-ins; esbuild keeps those calls, and in
 * an ES module `require` does not exist. The banner defines it from import.meta.url.
 */
export const ESM_REQUIRE_BANNER = 'import{createRequire as __botfleetCreateRequire}from"node:module";const require=__botfleetCreateRequire(import.meta.url);';

/**
 * Packages replaced by a shim over Node's built-ins. Only polyfills whose consumers prefer the
 * built-in anyway belong here; each shim says why it is safe.
 */
export const BUILTIN_SHIMS: Readonly<Record<string, string>> = {
  "whatwg-url": path.join(PROJECT_ROOT, "infra", "aws", "shims", "whatwg-url.mjs"),
  "@aws-sdk/credential-provider-node": path.join(PROJECT_ROOT, "infra", "aws", "shims", "credential-provider-node.mjs"),
};

export interface BundleOptions {
  /** Minify (the deployed setting). Off only to read a bundle while debugging. @default true */
  readonly minify?: boolean;
}

export interface Bundle {
  /** index.mjs: the entry ES module, ending in a sourceMappingURL comment. */
  readonly code: string;
  /** index.mjs.map: its source map (paths relative to the repo, no embedded sources). */
  readonly map: string;
  /**
   * Every file of the archive by its path in it: index.mjs, its map, and one chunks/<name>-<hash>.mjs
   * (+ map) per split chunk. A bundle without dynamic imports has just the first two.
   */
  readonly files: Readonly<Record<string, string>>;
  /** The .mjs files a cold start loads: the entry and the chunks it imports statically (transitively). */
  readonly startup: readonly string[];
}

const cache = new Map<string, Bundle>();

/**
 * Bundles `entry` (a path relative to the project root, e.g. runtime/handlers/health.ts); cached per
 * entry + options in memory, and on disk across runs (see readDiskCache).
 */
export function bundleEntry(entry: string, options: BundleOptions = {}): Bundle {
  const minify = options.minify ?? true;
  const key = JSON.stringify({ entry, minify });
  const cached = cache.get(key);
  if (cached) return cached;
  const bundle = bundleWithDiskCache(entry, options);
  cache.set(key, bundle);
  return bundle;
}

/** The disk-cached build alone (no in-memory cache), for tests of the cache itself. */
export function bundleWithDiskCache(entry: string, options: BundleOptions = {}): Bundle {
  const minify = options.minify ?? true;
  return readDiskCache(entry, minify) ?? writeDiskCache(entry, minify, buildWithInputs(entry, minify));
}

/**
 * Every preview, plan and test run bundles every handler (~0.4 s each). The disk cache keeps the
 * last output with the list of files esbuild read and their content hashes; it is used only when
 * each of those files still hashes the same under the same esbuild version and options, so a hit
 * returns exactly the bytes a fresh build would (the determinism test builds uncached and compares).
 */
const DISK_CACHE_DIR = path.join(PROJECT_ROOT, ".tmp", "bundles");

interface DiskCacheEntry {
  readonly fingerprint: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly bundle: Bundle;
}

function diskCacheFile(entry: string, minify: boolean): string {
  return path.join(DISK_CACHE_DIR, `${entry.replace(/[^\w.-]+/g, "_")}${minify ? "" : ".debug"}.json`);
}

function fingerprint(entry: string, minify: boolean): string {
  return JSON.stringify({ esbuild: esbuild.version, entry, minify, splitting: true, shims: BUILTIN_SHIMS, banner: ESM_REQUIRE_BANNER });
}

function hashFile(relative: string): string | undefined {
  try {
    return createHash("sha256").update(fs.readFileSync(path.join(PROJECT_ROOT, relative))).digest("hex");
  } catch {
    return undefined;
  }
}

function readDiskCache(entry: string, minify: boolean): Bundle | undefined {
  let cached: DiskCacheEntry;
  try {
    cached = JSON.parse(fs.readFileSync(diskCacheFile(entry, minify), "utf8")) as DiskCacheEntry;
  } catch {
    return undefined;
  }
  if (cached.fingerprint !== fingerprint(entry, minify)) return undefined;
  for (const [input, hash] of Object.entries(cached.inputs)) {
    if (hashFile(input) !== hash) return undefined;
  }
  return cached.bundle;
}

function writeDiskCache(entry: string, minify: boolean, built: { bundle: Bundle; inputs: readonly string[] }): Bundle {
  const inputs: Record<string, string> = {};
  for (const input of built.inputs) {
    const hash = hashFile(input);
    if (hash === undefined) return built.bundle; // an input we cannot re-read is one we cannot vouch for
    inputs[input] = hash;
  }
  const record: DiskCacheEntry = { fingerprint: fingerprint(entry, minify), inputs, bundle: built.bundle };
  try {
    fs.mkdirSync(DISK_CACHE_DIR, { recursive: true });
    // Write-then-rename: parallel runs never read a half-written entry.
    const file = diskCacheFile(entry, minify);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(record));
    fs.renameSync(temp, file);
  } catch {
    // A read-only checkout still bundles; it just does not remember.
  }
  return built.bundle;
}

/** Builds without the cache (tests use it to prove two builds are byte-identical). */
export function buildUncached(entry: string, options: BundleOptions = {}): Bundle {
  return buildWithInputs(entry, options.minify ?? true).bundle;
}

function buildWithInputs(entry: string, minify: boolean): { bundle: Bundle; inputs: readonly string[] } {
  const name = path.basename(entry, path.extname(entry));
  const outdir = path.join(PROJECT_ROOT, ".bundle", name);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile };
  try {
    result = esbuild.buildSync({
      absWorkingDir: PROJECT_ROOT,
      entryPoints: [path.join(PROJECT_ROOT, entry)],
      outdir,
      entryNames: "index",
      chunkNames: "chunks/[name]-[hash]",
      outExtension: { ".js": ".mjs" },
      splitting: true,
      write: false,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node22",
      // Prefer packages' ES module builds: smaller after tree shaking than their CommonJS builds.
      mainFields: ["module", "main"],
      alias: { ...BUILTIN_SHIMS },
      minify,
      // A separate index.mjs.map in the archive: Lambda never loads it (no --enable-source-maps, which
      // would cost cold-start time); it turns a minified stack trace back into repo lines offline.
      sourcemap: "linked",
      sourcesContent: false,
      banner: { js: ESM_REQUIRE_BANNER },
      legalComments: "eof",
      logLevel: "silent",
      metafile: true,
    });
  } catch (err) {
    const failure = err as { errors?: esbuild.Message[] };
    const details = failure.errors?.map((e) => e.text).join("\n") ?? String(err);
    throw new Error(`bundling ${entry} failed:\n${details}`, { cause: err });
  }
  // Archive paths relative to the output directory, in a stable order.
  const files: Record<string, string> = {};
  for (const out of [...result.outputFiles].sort((a, b) => a.path.localeCompare(b.path))) {
    files[path.relative(outdir, out.path).split(path.sep).join("/")] = out.text;
  }
  const code = files[BUNDLE_FILE];
  const map = files[`${BUNDLE_FILE}.map`];
  if (code === undefined || map === undefined) throw new Error(`esbuild produced no ${BUNDLE_FILE} for ${entry}`);
  // Metafile input paths are relative to absWorkingDir (the project root).
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes(":"));
  return { bundle: { code, map, files, startup: startupFiles(result.metafile, outdir) }, inputs };
}

/** The entry and every chunk reachable from it through static imports (what a cold start reads). */
function startupFiles(metafile: esbuild.Metafile, outdir: string): string[] {
  const relative = (output: string) => path.relative(outdir, path.join(PROJECT_ROOT, output)).split(path.sep).join("/");
  const byRelative = new Map(Object.entries(metafile.outputs).map(([output, meta]) => [relative(output), meta]));
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of byRelative.get(file)?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) visit(relative(imported.path));
    }
  };
  visit(BUNDLE_FILE);
  return [...seen].sort();
}

/** The Lambda code archive: index.mjs, the split chunks and their maps, as string assets (hashed by content). */
export function bundleArchive(entry: string): pulumi.asset.AssetArchive {
  const bundle = bundleEntry(entry);
  return new pulumi.asset.AssetArchive(Object.fromEntries(Object.entries(bundle.files).map(([name, text]) => [name, new pulumi.asset.StringAsset(text)])));
}
