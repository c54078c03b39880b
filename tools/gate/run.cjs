/**
 * `npm run plan` / `npm run audit`: `node tools/gate/run.cjs plan|audit ...` runs cli.ts.
 *
 * tsx compiles our TypeScript as it loads, and its loader also scans every JavaScript file loaded
 * while it is registered for ES module syntax (any file that mentions "export", so every CommonJS
 * module). For `plan` that would be Pulumi and its three providers: some 1,900 precompiled files
 * and about a second. So once the gate has started the policy pack (which then starts in parallel),
 * tsx is set aside while Node's own loader loads them, and registered again for the program's sources.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before any TypeScript loader */

const { register } = require("tsx/cjs/api");

const PRECOMPILED = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/gcp", "@pulumi/cloudflare"];

let unregister = register();
require("./cli.ts").main(process.argv.slice(2), {
  beforeProgram() {
    unregister();
    try {
      for (const name of PRECOMPILED) require(name);
    } finally {
      unregister = register();
    }
  },
});
