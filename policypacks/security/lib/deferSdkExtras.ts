/**
 * Importing this module defers, in this process, the modules Pulumi's SDK requires when it loads
 * but calls only for two features: serializing a JavaScript function into a Lambda
 * (runtime/closure: TypeScript's parser, npm's arborist, normalize-package-data) and the
 * Automation API (execa). A policy pack uses neither, nor does a program that ships bundled code
 * (ours bundles every handler with esbuild), yet loading them is most of what
 * `require("@pulumi/pulumi")` costs: measured here, @pulumi/pulumi with the three providers loads
 * in 0.45-0.85 s with them deferred against 1.4-1.6 s without. A deferred module is still there:
 * its first use loads it, so a program that does serialize a function behaves as before.
 *
 * Imported first by the pack's entry point (the engine's launcher has loaded TypeScript for itself
 * by then; arborist and the rest still come with @pulumi/policy's @pulumi/pulumi) and by the gate's
 * `run.cjs`, before either requires Pulumi.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- this module is about require itself */
import Module = require("node:module");
import path = require("node:path");

/** What Pulumi's SDK requires when it loads, for function serialization and the Automation API only. */
export const SDK_EXTRAS: readonly string[] = ["typescript", "@npmcli/arborist", "normalize-package-data", "execa"];

type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;
interface ModuleInternals {
  _load: Load;
  _resolveFilename(request: string, parent: NodeJS.Module | undefined, isMain: boolean): string;
  _cache: Record<string, NodeJS.Module | undefined>;
}

/**
 * The exports of a module not loaded yet: any read, key listing or `in` loads it. It claims to be
 * an ES module so TypeScript's import helpers hand it back as is (__importStar would copy its keys,
 * loading it at once), and it answers `default` as those helpers would: the module itself unless
 * it is an ES module with a default of its own.
 */
function deferredExports(load: () => object): object {
  const real = () => load() as Record<PropertyKey, unknown>;
  const configurable = (descriptor: PropertyDescriptor | undefined) => descriptor && { ...descriptor, configurable: true };
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (key === "__esModule") return true;
        const exports = real();
        if (key === "default" && exports.__esModule !== true) return exports;
        return exports[key];
      },
      set(_target, key, value) {
        return Reflect.set(real(), key, value);
      },
      has: (_target, key) => key in real(),
      ownKeys: () => Reflect.ownKeys(real()),
      // A proxy may only report a key as non-configurable if its own target has it so.
      getOwnPropertyDescriptor: (_target, key) => configurable(Reflect.getOwnPropertyDescriptor(real(), key)),
    },
  );
}

/**
 * From now on, a `require(name)` of one of `names` made by a file of `requiredFrom` (a package
 * name) returns its exports deferred (above), unless the module is already loaded. Only that
 * package's requires: their use is known (TypeScript's import helpers, or property reads, never a
 * call of the module itself, which a deferred object cannot answer); anyone else gets the module.
 * A name that does not resolve is left to Node, so a caller's fallback (Pulumi's typescript-shim
 * falls back to a vendored TypeScript) still runs. Hand-written: the requires to defer are inside
 * @pulumi/pulumi, where no lazy-require library that changes the call site can reach them; only a
 * hook on Module._load can.
 */
export function deferModules(names: readonly string[], requiredFrom: string): void {
  const internals = Module as unknown as ModuleInternals;
  const deferred = new Set(names);
  const inPackage = `${path.sep}node_modules${path.sep}${requiredFrom.split("/").join(path.sep)}${path.sep}`;
  const proxies = new Map<string, object>();
  const load = internals._load;
  internals._load = function (this: unknown, request, parent, isMain) {
    if (!deferred.has(request) || !parent?.filename?.includes(inPackage)) return load.call(this, request, parent, isMain);
    let filename: string;
    try {
      filename = internals._resolveFilename(request, parent, isMain);
    } catch {
      return load.call(this, request, parent, isMain);
    }
    if (internals._cache[filename] !== undefined) return load.call(this, request, parent, isMain);
    let proxy = proxies.get(filename);
    if (proxy === undefined) {
      let exports: object | undefined;
      proxy = deferredExports(() => (exports ??= load.call(this, request, parent, isMain) as object));
      proxies.set(filename, proxy);
    }
    return proxy;
  };
}

deferModules(SDK_EXTRAS, "@pulumi/pulumi");
