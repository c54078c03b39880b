import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { errorFrom, GateError, PackConfigError, PackError, ProgramError, StackConfigError, StackExportError, UsageError } from "../../../tools/gate/errors";
import { openPackSession, type PackSession } from "../../../tools/gate/judge";
import type { GateResource } from "../../../tools/gate/resources";

const provider: GateResource = { urn: "urn:pulumi:prod::botfleet::pulumi:providers:aws::aws", type: "pulumi:providers:aws", name: "aws", props: { region: "eu-west-1" } };

/**
 * The session talks to the pack from a thread of its own (judgeWorker.ts): what fails there must
 * reach the caller as the same failure, and a pack that dies must end a judgement, never hang it.
 */
describe("the gate's analyzer thread", function () {
  this.timeout(120_000);

  it("revives each gate error by its class name, so the CLI still reports it as one line with exit 2", () => {
    for (const GateErrorClass of [UsageError, StackConfigError, StackExportError, PackConfigError, ProgramError, PackError]) {
      const original = new GateErrorClass("what went wrong");
      const revived = errorFrom({ name: original.name, message: original.message });
      assert.ok(revived instanceof GateErrorClass, original.name);
      assert.ok(revived instanceof GateError);
      assert.equal(revived.message, "what went wrong");
    }
    const other = errorFrom({ name: "TypeError", message: "x is not a function" });
    assert.ok(!(other instanceof GateError), "anything else stays a failure of the gate itself");
    assert.equal(other.name, "TypeError");
  });

  describe("over a real pack", () => {
    let session: PackSession;
    let dir: string;
    before(async () => {
      session = await openPackSession();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-analyzer-thread-"));
    });
    after(async () => {
      await session?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a policy config the engine would refuse fails the pass as a PackConfigError naming the file", async () => {
      const bad = path.join(dir, "config.bad.json");
      fs.writeFileSync(bad, "{ nope");
      await assert.rejects(session.judge({ stack: "prod", project: "botfleet", resources: [provider], configFile: bad }), (error: unknown) => {
        assert.ok(error instanceof PackConfigError, String(error));
        assert.match(error.message, /config\.bad\.json is not JSON/);
        return true;
      });
    });

    it("the session goes on after a failed pass, and a pack that dies fails the next judgement with a PackError instead of hanging", async () => {
      const judged = await session.judge({ stack: "prod", project: "botfleet", resources: [provider] });
      assert.ok(judged.analyzed.includes(provider.urn));
      process.kill(session.pid, "SIGKILL");
      await assert.rejects(session.judge({ stack: "prod", project: "botfleet", resources: [provider] }), (error: unknown) => {
        assert.ok(error instanceof PackError, String(error));
        return true;
      });
    });
  });
});
