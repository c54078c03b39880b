import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as esbuild from "esbuild";

/**
 * Bundles one runtime/ entry point into a single ESM file for the nodejs22.x Lambda runtime, at
 * preview/up time. Everything is bundled, the AWS SDK included (never the runtime's own copy: its
 * version changes under us, so the code we tested would not be the code that runs). The output is
 * deterministic — same sources, same bytes — so an unchanged handler never shows as a diff.
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
  /** index.mjs: the ES module, ending in a sourceMappingURL comment. */
  readonly code: string;
  /** index.mjs.map: its source map (paths relative to the repo, no embedded sources). */
  readonly map: string;
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
  return JSON.stringify({ esbuild: esbuild.version, entry, minify, shims: BUILTIN_SHIMS, banner: ESM_REQUIRE_BANNER });
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
  const outfile = path.join(PROJECT_ROOT, ".bundle", name, BUNDLE_FILE);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = esbuild.buildSync({
      absWorkingDir: PROJECT_ROOT,
      entryPoints: [path.join(PROJECT_ROOT, entry)],
      outfile,
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
  const file = (suffix: string) => {
    const out = result.outputFiles.find((f) => f.path.endsWith(suffix));
    if (!out) throw new Error(`esbuild produced no ${suffix} for ${entry}`);
    return out.text;
  };
  // Metafile input paths are relative to absWorkingDir (the project root).
  const inputs = Object.keys(result.metafile?.inputs ?? {}).filter((input) => !input.includes(":"));
  return { bundle: { code: file(BUNDLE_FILE), map: file(`${BUNDLE_FILE}.map`) }, inputs };
}

/** The Lambda code archive: index.mjs and its map, as string assets (hashed by content). */
export function bundleArchive(entry: string): pulumi.asset.AssetArchive {
  const bundle = bundleEntry(entry);
  return new pulumi.asset.AssetArchive({
    [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code),
    [`${BUNDLE_FILE}.map`]: new pulumi.asset.StringAsset(bundle.map),
  });
}
