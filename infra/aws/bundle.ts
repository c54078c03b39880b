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

/** Bundles `entry` (a path relative to the project root, e.g. runtime/handlers/health.ts); cached per entry + options. */
export function bundleEntry(entry: string, options: BundleOptions = {}): Bundle {
  const minify = options.minify ?? true;
  const key = JSON.stringify({ entry, minify });
  const cached = cache.get(key);
  if (cached) return cached;
  const bundle = build(entry, minify);
  cache.set(key, bundle);
  return bundle;
}

/** Builds without the cache (tests use it to prove two builds are byte-identical). */
export function buildUncached(entry: string, options: BundleOptions = {}): Bundle {
  return build(entry, options.minify ?? true);
}

function build(entry: string, minify: boolean): Bundle {
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
  return { code: file(BUNDLE_FILE), map: file(`${BUNDLE_FILE}.map`) };
}

/** The Lambda code archive: index.mjs and its map, as string assets (hashed by content). */
export function bundleArchive(entry: string): pulumi.asset.AssetArchive {
  const bundle = bundleEntry(entry);
  return new pulumi.asset.AssetArchive({
    [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code),
    [`${BUNDLE_FILE}.map`]: new pulumi.asset.StringAsset(bundle.map),
  });
}
