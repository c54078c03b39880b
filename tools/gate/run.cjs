/**
 * `npm run plan` / `npm run audit`: `node tools/gate/run.cjs plan|audit ...` runs cli.ts, its
 * TypeScript transpiled once and cached (transpile.cjs) rather than through tsx.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before any TypeScript loader */

require("./transpile.cjs").register();

let cli;
try {
  cli = require("./cli.ts");
} catch (error) {
  // The gate's own sources do not load (a syntax error while editing): one line, exit 2, as every failure.
  process.stderr.write(`gate failed to load: ${String(error instanceof Error ? error.message : error).split("\n")[0]}\n`);
  process.exit(2);
}
cli.main(process.argv.slice(2));
