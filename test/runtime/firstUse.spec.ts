import { strict as assert } from "node:assert";
import { firstUse, firstUseRecord } from "../../runtime/firstUse";

describe("firstUse", () => {
  it("builds nothing until the first read, then builds once and keeps the value", () => {
    let builds = 0;
    const value = firstUse(() => ({ n: ++builds }));
    assert.equal(builds, 0);
    const first = value();
    assert.equal(value(), first);
    assert.equal(builds, 1);
  });

  it("keeps a falsy value without building again", () => {
    let builds = 0;
    const value = firstUse(() => (builds++, undefined));
    value();
    value();
    assert.equal(builds, 1);
  });

  it("a record builds each property on its own first read, and cannot be changed", () => {
    const built: string[] = [];
    const record = firstUseRecord({ a: () => (built.push("a"), { a: 1 }), b: () => (built.push("b"), { b: 2 }) });
    assert.deepEqual(built, []);
    assert.equal(record.b.b, 2);
    assert.equal(record.b, record.b);
    assert.deepEqual(built, ["b"]);
    assert.deepEqual(Object.keys(record), ["a", "b"]);
    assert.throws(() => {
      (record as { a: unknown }).a = 3;
    }, TypeError);
  });
});
