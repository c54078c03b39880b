// Bundling shim (see infra/aws/bundle.ts BUILTIN_SHIMS): node-fetch 2 imports whatwg-url only as a
// fallback for runtimes without a URL class (`Url.URL || whatwgUrl.URL`). Node 22 has one, so the
// fallback — and the ~260 KB of Unicode tables it drags in (tr46) — is replaced by the built-in.
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;
export default { URL, URLSearchParams };
