/**
 * `npm run plan` / `npm run audit`: `node tools/gate/run.cjs plan|audit ...` runs cli.ts, its
 * TypeScript transpiled once and cached (transpile.cjs) rather than through tsx. For `plan`, the
 * security pack's process is started first (prestart.ts): it loads for a second or more, in
 * parallel with the gate's own modules.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before any TypeScript loader */

require("./transpile.cjs").register();
// Before anything requires Pulumi: its function-serialization and Automation API modules (most of
// what loading its SDK costs) load only if something calls them; the gate never does.
require("../../policypacks/security/lib/deferSdkExtras.ts");

const argv = process.argv.slice(2);

function loadFailed(error) {
  // The gate's own sources do not load (a syntax error while editing): one line, exit 2, as every failure.
  process.stderr.write(`gate failed to load: ${String(error instanceof Error ? error.message : error).split("\n")[0]}\n`);
  process.exit(2);
}

let prestarting;
try {
  prestarting = require("./prestart.ts").prestartFor(argv);
} catch (error) {
  loadFailed(error);
}
void prestarting.then(
  (prestarted) => {
    let cli;
    try {
      cli = require("./cli.ts");
    } catch (error) {
      // process.exit kills a prestarted pack (packLaunch.ts hooks the exit).
      loadFailed(error);
    }
    cli.main(argv, { prestarted });
  },
  (error) => loadFailed(error),
);
