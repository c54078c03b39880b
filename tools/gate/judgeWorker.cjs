/** The gate's analyzer thread (judgeWorker.ts), loaded through the gate's TypeScript hook. */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before any TypeScript loader */

require("./transpile.cjs").register();
require("./judgeWorker.ts");
