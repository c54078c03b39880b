import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as Esbuild from "esbuild";

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

/**
 * A bundle as stored on disk: its files in a directory named by their content, and which of them a
 * cold start loads. What the code archive is made of; the text is read only by those who need it.
 */
interface StoredBundle {
  /** Absolute path of the directory holding the files. */
  readonly dir: string;
  /** The files' paths in the archive (and under `dir`), sorted. */
  readonly names: readonly string[];
  readonly startup: readonly string[];
}

const stored = new Map<string, StoredBundle>();
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
  const bundle = readStored(storedBundle(entry, minify));
  cache.set(key, bundle);
  return bundle;
}

function storedBundle(entry: string, minify: boolean): StoredBundle {
  const key = JSON.stringify({ entry, minify });
  let found = stored.get(key);
  if (!found) {
    found = readDiskCache(entry, minify, false) ?? writeDiskCache(entry, minify, buildWithInputs(entry, minify));
    stored.set(key, found);
  }
  return found;
}

/** The disk-cached build alone (no in-memory cache), for tests of the cache itself. */
export function bundleWithDiskCache(entry: string, options: BundleOptions = {}): Bundle {
  const minify = options.minify ?? true;
  return readStored(readDiskCache(entry, minify, true) ?? writeDiskCache(entry, minify, buildWithInputs(entry, minify)));
}

/**
 * Every preview, plan and test run bundles every handler (~0.4 s each). The disk cache keeps, per
 * entry, the list of files esbuild read with their content hashes and the directory of the output
 * (see ARCHIVE_DIR); it is used only when each of those files still hashes the same under the same
 * esbuild version and options and the output is still there, so a hit is exactly the bytes a fresh
 * build would make (the determinism test builds uncached and compares).
 */
const DISK_CACHE_DIR = path.join(PROJECT_ROOT, ".tmp", "bundles");

/**
 * Where bundles are written, one directory per content (`<entry name>-<sha256 of names and bytes>`):
 * a function's code archive is made of these files (bundleArchive), never of their text. The engine
 * sends every input of a resource — an AssetArchive of StringAssets with all its text — to the
 * providers, with every Analyze and AnalyzeStack to each policy pack (pkg/resource/plugin/
 * analyzer_plugin.go), and into the state file; a FileAsset is a path and a hash there. Inside the
 * project directory, not the system's temporary one: `pulumi up` reads the files after the program
 * has registered the function (engine and providers resolve a relative path against the project
 * directory, their working directory). A directory is complete or absent (written aside, then
 * renamed), and never rewritten: runs in parallel share it.
 */
export const ARCHIVE_DIR = path.join(PROJECT_ROOT, ".tmp", "lambda");

interface DiskCacheEntry {
  readonly fingerprint: string;
  /** Every file esbuild read: its content hash, and its stat stamp when that can vouch for it (see inputUnchanged). */
  readonly inputs: Readonly<Record<string, { readonly hash: string; readonly stamp?: string }>>;
  /** The output directory, relative to ARCHIVE_DIR. */
  readonly dir: string;
  readonly names: readonly string[];
  readonly startup: readonly string[];
}

function diskCacheFile(entry: string, minify: boolean): string {
  return path.join(DISK_CACHE_DIR, `${entry.replace(/[^\w.-]+/g, "_")}${minify ? "" : ".debug"}.json`);
}

/**
 * esbuild's API, required on the first build: a program whose bundles all come from the cache
 * (every plan after the first) never loads it. Its version, for the cache key, is read from its
 * package.json without loading it.
 */
function esbuildApi(): typeof Esbuild {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("esbuild") as typeof Esbuild;
}

let version: string | undefined;
function esbuildVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  version ??= (require("esbuild/package.json") as { version: string }).version;
  return version;
}

function fingerprint(entry: string, minify: boolean): string {
  return JSON.stringify({ esbuild: esbuildVersion(), entry, minify, splitting: true, shims: BUILTIN_SHIMS, banner: ESM_REQUIRE_BANNER });
}

/**
 * A file's identity on disk without reading it: inode, size and modification time (ns). Recorded
 * only for a file last modified well before it was hashed: a file system stamps times at a coarse
 * granularity (a jiffy, or even 1-2 s), so a same-size rewrite within that window could keep the
 * stamp — git's index has the same "racy" case and re-hashes such files too.
 */
const SETTLED_MS = 3_000;
const stampOf = (stat: fs.BigIntStats): string => `${stat.ino}:${stat.size}:${stat.mtimeNs}`;

function hashFile(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Inputs already checked by this process: the handlers share most of theirs (the AWS SDK, runtime/),
 * and like the in-memory bundle cache, a run sees each file as it was when first checked.
 */
const checkedInputs = new Map<string, string | undefined>();

/** Whether an input still has the recorded content: from its stamp when that was recorded and still holds, else by hashing it. */
function inputUnchanged(relative: string, recorded: { readonly hash: string; readonly stamp?: string }, fresh: boolean): boolean {
  if (!fresh && checkedInputs.has(relative)) return checkedInputs.get(relative) === recorded.hash;
  const file = path.join(PROJECT_ROOT, relative);
  let hash: string | undefined;
  try {
    hash = recorded.stamp !== undefined && stampOf(fs.statSync(file, { bigint: true })) === recorded.stamp ? recorded.hash : hashFile(file);
  } catch {
    hash = undefined;
  }
  checkedInputs.set(relative, hash);
  return hash === recorded.hash;
}

function readDiskCache(entry: string, minify: boolean, fresh: boolean): StoredBundle | undefined {
  let cached: DiskCacheEntry;
  try {
    cached = JSON.parse(fs.readFileSync(diskCacheFile(entry, minify), "utf8")) as DiskCacheEntry;
  } catch {
    return undefined;
  }
  if (cached.fingerprint !== fingerprint(entry, minify) || typeof cached.dir !== "string" || !Array.isArray(cached.names)) return undefined;
  for (const [input, recorded] of Object.entries(cached.inputs)) {
    if (typeof recorded !== "object" || !inputUnchanged(input, recorded, fresh)) return undefined;
  }
  const dir = path.join(ARCHIVE_DIR, cached.dir);
  if (!cached.names.every((name) => fs.existsSync(path.join(dir, name)))) return undefined;
  markUsed(dir);
  return { dir, names: cached.names, startup: cached.startup };
}

function writeDiskCache(entry: string, minify: boolean, built: { bundle: Bundle; inputs: readonly string[] }): StoredBundle {
  const output = writeOutput(entry, built.bundle);
  const inputs: Record<string, { hash: string; stamp?: string }> = {};
  for (const input of built.inputs) {
    const file = path.join(PROJECT_ROOT, input);
    try {
      const stat = fs.statSync(file, { bigint: true });
      const hash = hashFile(file);
      checkedInputs.set(input, hash);
      inputs[input] = Date.now() - Number(stat.mtimeMs) > SETTLED_MS ? { hash, stamp: stampOf(stat) } : { hash };
    } catch {
      return output; // an input we cannot re-read is one we cannot vouch for
    }
  }
  const record: DiskCacheEntry = { fingerprint: fingerprint(entry, minify), inputs, dir: path.relative(ARCHIVE_DIR, output.dir), names: output.names, startup: output.startup };
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
  return output;
}

/** Writes a bundle's files to their content's directory under ARCHIVE_DIR (unless it is there already). */
function writeOutput(entry: string, bundle: Bundle): StoredBundle {
  const names = Object.keys(bundle.files).sort();
  const content = createHash("sha256");
  for (const name of names) content.update(`${name}\0${Buffer.byteLength(bundle.files[name] as string)}\0`).update(bundle.files[name] as string);
  const prefix = `${path.basename(entry, path.extname(entry))}-`;
  const dir = path.join(ARCHIVE_DIR, `${prefix}${content.digest("hex").slice(0, 32)}`);
  if (names.every((name) => fs.existsSync(path.join(dir, name)))) {
    markUsed(dir);
  } else {
    const temp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    try {
      for (const name of names) {
        fs.mkdirSync(path.dirname(path.join(temp, name)), { recursive: true });
        fs.writeFileSync(path.join(temp, name), bundle.files[name] as string);
      }
      fs.renameSync(temp, dir);
    } catch (err) {
      fs.rmSync(temp, { recursive: true, force: true });
      // Another run wrote the same content first: its directory is as good as ours.
      if (!names.every((name) => fs.existsSync(path.join(dir, name)))) throw new Error(`cannot write the bundle of ${entry} to ${dir}: ${(err as Error).message}`, { cause: err });
    }
    pruneUnused(prefix, dir);
  }
  return { dir, names, startup: bundle.startup };
}

/**
 * Earlier contents of an entry are deleted once unused for a day, so .tmp/lambda does not grow with
 * every edit. "Used" is the directory's time, renewed by every run that uses it: a `pulumi up` that
 * registered a function from it (its provider reads the files later) keeps it. Only a new content's
 * archive reads files: the engine sends a previous state's archives to providers by hash alone
 * (pkg/resource/plugin/provider_plugin.go: Diff, Read, Update and Delete marshal with
 * ElideAssetContents), so refresh, diff and destroy never need an old directory.
 */
const UNUSED_FOR_MS = 24 * 60 * 60 * 1000;

function markUsed(dir: string): void {
  try {
    const now = new Date();
    fs.utimesSync(dir, now, now);
  } catch {
    // Read-only: then nothing prunes it either.
  }
}

function pruneUnused(prefix: string, keep: string): void {
  try {
    for (const name of fs.readdirSync(ARCHIVE_DIR)) {
      const dir = path.join(ARCHIVE_DIR, name);
      if (!name.startsWith(prefix) || !/^[0-9a-f]{32}$/.test(name.slice(prefix.length)) || dir === keep) continue;
      if (Date.now() - fs.statSync(dir).mtimeMs > UNUSED_FOR_MS) fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // Pruning is housekeeping: never a reason to fail a build.
  }
}

function readStored(output: StoredBundle): Bundle {
  const files: Record<string, string> = {};
  for (const name of output.names) files[name] = fs.readFileSync(path.join(output.dir, name), "utf8");
  const code = files[BUNDLE_FILE];
  const map = files[`${BUNDLE_FILE}.map`];
  if (code === undefined || map === undefined) throw new Error(`no ${BUNDLE_FILE} in ${output.dir}`);
  return { code, map, files, startup: output.startup };
}

/** Builds without the cache (tests use it to prove two builds are byte-identical). */
export function buildUncached(entry: string, options: BundleOptions = {}): Bundle {
  return buildWithInputs(entry, options.minify ?? true).bundle;
}

function buildWithInputs(entry: string, minify: boolean): { bundle: Bundle; inputs: readonly string[] } {
  const name = path.basename(entry, path.extname(entry));
  const outdir = path.join(PROJECT_ROOT, ".bundle", name);
  let result: Esbuild.BuildResult & { outputFiles: Esbuild.OutputFile[]; metafile: Esbuild.Metafile };
  try {
    result = esbuildApi().buildSync({
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
    const failure = err as { errors?: Esbuild.Message[] };
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
function startupFiles(metafile: Esbuild.Metafile, outdir: string): string[] {
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

/**
 * The Lambda code archive: index.mjs, the split chunks and their maps, each a FileAsset of its file
 * under ARCHIVE_DIR (written before this returns, so before the function registers). The path is
 * relative to the working directory, which Pulumi sets to the project directory for the program, the
 * engine and the providers alike. The engine hashes an archive by its members' names and bytes in
 * sorted order, not by where they come from (sdk/go/common/resource/archive/archive.go EnsureHash and
 * Equals): the same bytes as StringAssets or from another directory make the same hash, so no diff.
 */
export function bundleArchive(entry: string): pulumi.asset.AssetArchive {
  const output = storedBundle(entry, true);
  return new pulumi.asset.AssetArchive(
    Object.fromEntries(output.names.map((name) => [name, new pulumi.asset.FileAsset(path.relative(process.cwd(), path.join(output.dir, name)))])),
  );
}
