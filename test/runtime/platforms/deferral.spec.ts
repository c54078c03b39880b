import { strict as assert } from "node:assert";
import { within } from "../../../runtime/platforms/deferral";

describe("within (an interaction's answer raced against its deadline)", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  before(() => process.on("unhandledRejection", onUnhandled));
  after(() => process.off("unhandledRejection", onUnhandled));

  it("gives the work's value when it finishes in time, and its failure as late", async () => {
    assert.deepEqual(await within(async () => 7, Date.now() + 1000), { kind: "done", value: 7 });
    const failure = new Error("store down");
    assert.deepEqual(await within(() => Promise.reject(failure), Date.now() + 1000), { kind: "late", failure });
  });

  it("answers late at the deadline while the work goes on, whose later failure is nobody's unhandled rejection", async () => {
    let finish: (error: Error) => void = () => undefined;
    const started = Date.now();
    const raced = await within(() => new Promise<number>((_, reject) => (finish = reject)), started + 30);
    assert.deepEqual(raced, { kind: "late" });
    assert.ok(Date.now() - started >= 25, "not before the deadline");
    finish(new Error("finished after the answer"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  });

  it("does not start the work when no time is left", async () => {
    let started = false;
    const raced = await within(async () => {
      started = true;
      return 1;
    }, Date.now() - 1);
    assert.deepEqual(raced, { kind: "late" });
    assert.equal(started, false);
  });
});
