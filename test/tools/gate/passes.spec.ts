import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { Judgement, PackSession, PassSettings } from "../../../tools/gate/judge";
import { planPasses } from "../../../tools/gate/passes";
import { SECURITY_PACK_DIR } from "../../../tools/gate/buildPack";

/**
 * How plan drives a pack: a session that only records what it is asked (the protocol itself is
 * covered by probe.spec.ts over a real pack process).
 */
describe("plan's two passes", function () {
  this.timeout(120_000);

  it("tells the pack the preview is a dry run and the up pass is not (ConfigureStack dryRun), in that order", async () => {
    const begun: { settings: PassSettings; added: number; finished: number }[] = [];
    const session: PackSession = {
      pid: 0,
      begin: (settings) => {
        const pass = { settings, added: 0, finished: 0 };
        begun.push(pass);
        return {
          add: () => void (pass.added += 1),
          finish: (resources = []) => {
            pass.finished = resources.length;
            const judgement: Judgement = { pack: "recorder", version: "0", policies: [], violations: [], notApplicable: new Map(), analyzed: [], stackUrn: "" };
            return Promise.resolve(judgement);
          },
        };
      },
      judge: () => Promise.reject(new Error("plan feeds passes, it does not judge whole sets")),
      close: () => Promise.resolve(),
    };
    await planPasses(Promise.resolve(session), { stack: "prod", configFile: path.join(SECURITY_PACK_DIR, "config.prod.json") });
    assert.deepEqual(
      begun.map((p) => p.settings.dryRun),
      [true, false],
    );
    for (const pass of begun) {
      assert.ok(pass.added > 100, "every registered resource goes through Analyze");
      assert.equal(pass.finished, pass.added, "AnalyzeStack gets the whole stack, Stack resource included");
    }
  });
});
