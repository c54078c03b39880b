import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { createProviders } from "../../../infra/providers";
import { runProgram, runUnderMocks } from "../../../tools/program/runUnderMocks";

/* eslint-disable @typescript-eslint/no-require-imports -- the SDK's own runtime modules, as its code reaches them */
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
const runtimeState = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>> } };
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The gate runs the program "lean": without the stack traces and promise labels the SDK keeps for
 * the CLI's messages. What the engine would be sent must not change, and nothing may stay switched off.
 */
describe("a lean program run (as the gate runs it)", function () {
  this.timeout(120_000);

  it("registers the same resources with the same inputs, dependencies and outputs as a full run, preview and up", async () => {
    for (const preview of [true, false]) {
      const full = await runProgram("prod", { preview });
      const lean = await runProgram("prod", { preview, lean: true });
      // Registrations complete in an order of their own (as with the engine): compared by URN.
      const view = (run: typeof full) =>
        run.resources.map((r) => ({ urn: r.urn, wireInputs: r.wireInputs, wireOutputs: r.wireOutputs, dependencies: r.dependencies, provider: r.provider })).sort((a, b) => a.urn.localeCompare(b.urn));
      assert.ok(full.resources.length > 100);
      assert.deepEqual(view(lean), view(full));
    }
  });

  it("puts the SDK's traces and promise labels back when the run ends, also when the program throws", async () => {
    const before = { limit: Error.stackTraceLimit, debuggablePromise: debuggable.debuggablePromise, callsites: (pulumi.Resource as unknown as { callsites: unknown }).callsites };
    await runUnderMocks("prod", () => ({}), { lean: true });
    await assert.rejects(
      runUnderMocks(
        "prod",
        () => {
          throw new Error("the program failed");
        },
        { lean: true },
      ),
      /the program failed/,
    );
    assert.equal(Error.stackTraceLimit, before.limit);
    assert.equal(debuggable.debuggablePromise, before.debuggablePromise);
    assert.equal((pulumi.Resource as unknown as { callsites: unknown }).callsites, before.callsites);
  });

  it("still tracks the SDK's pending promises as leak candidates, until each settles", async () => {
    let pendingWhileBuilding = 0;
    await runUnderMocks(
      "prod",
      (settings) => {
        const { aws: provider } = createProviders(settings);
        new aws.sqs.Queue("q", { sqsManagedSseEnabled: true }, { provider });
        pendingWhileBuilding = runtimeState.getStore().leakCandidates.size;
        return {};
      },
      { lean: true },
    );
    assert.ok(pendingWhileBuilding > 0, "a registration in flight is a leak candidate");
    assert.equal(runtimeState.getStore().leakCandidates.size, 0, "every one settled by the end of the run");
  });
});
