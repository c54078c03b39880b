/**
 * TypeScript for `npm run plan` / `npm run audit` without tsx: a require hook for `.ts` files that
 * serves each file as CommonJS transpiled by esbuild (the same transform tsx applies), from a disk
 * cache keyed by the file's text, the esbuild version and the compiler options.
 *
 * Hand-written on purpose, in place of tsx, for what the gate loads besides our sources: Pulumi and
 * its three providers, some 1,900 precompiled files. tsx turns on source maps for the whole process
 * (Node then reads every module's text for a source map comment) and checks each JavaScript file
 * it loads for ES module syntax; this hook leaves `.js` to Node alone. The gate prints one-line
 * errors, never a stack, so nothing maps positions back; the inline map is there for a debugger.
 * Tests and other tools keep running under tsx.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before any TypeScript loader */

const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");

/** Where transpiled files are kept: one per source file, replaced when its text changes. */
const CACHE_DIR = path.join(ROOT, ".tmp", "ts-cjs");

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** The compiler options tsc uses for this project (esbuild reads the few that change its output, e.g. class fields for the target). */
function compilerOptions() {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
  return tsconfig.compilerOptions ?? {};
}

let settings;
function transformSettings() {
  if (!settings) {
    const tsconfigRaw = { compilerOptions: compilerOptions() };
    const version = require("esbuild/package.json").version;
    const options = { loader: "ts", format: "cjs", target: "node20", sourcemap: "inline", tsconfigRaw };
    settings = { options, stamp: sha256(JSON.stringify({ version, options })) };
  }
  return settings;
}

/**
 * The CommonJS text of a TypeScript file: from the cache when it was made from this very text with
 * these options, else transpiled now and cached (written aside, then renamed: parallel runs never
 * read half a file). A cache that cannot be written only costs the transpile next time.
 */
function transpiled(filename, source, cacheDir = CACHE_DIR) {
  const { options, stamp } = transformSettings();
  const header = `//${sha256(`${stamp}\0${source}`)}\n`;
  const entry = path.join(cacheDir, `${path.basename(filename, ".ts")}-${sha256(filename).slice(0, 16)}.js`);
  try {
    const cached = fs.readFileSync(entry, "utf8");
    if (cached.startsWith(header)) return cached.slice(header.length);
  } catch {
    // Not cached yet.
  }
  const { code } = require("esbuild").transformSync(source, { ...options, sourcefile: filename });
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temp = `${entry}.${process.pid}.tmp`;
    fs.writeFileSync(temp, header + code);
    fs.renameSync(temp, entry);
  } catch {
    // A read-only checkout still runs; it just does not remember.
  }
  return code;
}

/** Loads `.ts` files through `transpiled` from now on in this process. */
function register(cacheDir = CACHE_DIR) {
  Module._extensions[".ts"] = (module, filename) => module._compile(transpiled(filename, fs.readFileSync(filename, "utf8"), cacheDir), filename);
}

module.exports = { CACHE_DIR, register, transpiled };
