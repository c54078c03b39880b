import * as assert from "node:assert/strict";
import { PackError } from "../../../tools/gate/errors";
import { AWS_PROVIDER as provider, packSessionFor } from "./packSession";

describe("a policy pack that dies mid-session", function () {
  this.timeout(120_000);
  const current = packSessionFor();

  it("fails the next judgement as a failure of the pack (PackError: exit 2, one line), before any resource, instead of a raw gRPC error", async () => {
    const session = current();
    const judged = await session.judge({ stack: "prod", project: "botfleet", resources: [provider] });
    assert.ok(judged.analyzed.includes(provider.urn));
    process.kill(session.pid, "SIGKILL");
    await assert.rejects(session.judge({ stack: "prod", project: "botfleet", resources: [provider] }), (error: unknown) => {
      assert.ok(error instanceof PackError, String(error));
      assert.match(error.message, /^policy pack failed while being configured: /);
      return true;
    });
  });
});
