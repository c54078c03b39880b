import { strict as assert } from "node:assert";
import { matching, nonEmpty, oneOf, optional, plainObject, readFields, trimmed, wholeNumber } from "../../runtime/configChecks";
import { parseEntrySettings } from "../../runtime/settings";

describe("configuration checks", () => {
  it("read only the named fields, leave unset optional ones out, and take the fallback of an unset number", () => {
    const read = readFields({ A: "abc", B: " x ", EXTRA: "ignored" }, { A: matching(/^[a-z]+$/, "lower case"), B: trimmed(10), C: optional(nonEmpty()), N: wholeNumber(1, 9, 5) });
    assert.deepEqual(read, { ok: true, values: { A: "abc", B: "x", N: 5 } });
  });

  it("name every refused field, in order, with its rule and never its value", () => {
    const read = readFields({ A: "UPPER-secret", C: "", N: "12" }, { A: matching(/^[a-z]+$/, "must be lower case"), B: nonEmpty(), C: nonEmpty(), N: wholeNumber(1, 9, 5) });
    assert.equal(read.ok, false);
    assert.ok(!read.ok);
    assert.deepEqual(read.fields, ["A", "B", "C", "N"]);
    assert.deepEqual(read.problems, ["A: must be lower case", "B: required", "C: must not be empty", "N: must be at most 9"]);
    assert.ok(!read.problems.join().includes("secret"));
  });

  it("read own properties only, and refuse every field of a source that is not an object", () => {
    assert.deepEqual(readFields({}, { toString: optional(nonEmpty()) }), { ok: true, values: {} });
    assert.equal(readFields({}, { constructor: nonEmpty() }).ok, false);
    for (const source of [null, "text", ["a"], 3]) assert.deepEqual(readFields(source, { A: optional(nonEmpty()) }), { ok: true, values: {} });
    assert.deepEqual(readFields([], { A: nonEmpty() }), { ok: false, problems: ["A: required"], fields: ["A"] });
  });

  it("whole numbers: digits first, then the range; non-strings refused", () => {
    const hours = wholeNumber(1, 720, 48);
    assert.deepEqual(hours(undefined), { ok: true, value: 48 });
    assert.deepEqual(hours("720"), { ok: true, value: 720 });
    for (const raw of ["1e3", "-1", "", " 7", "7.0", 7]) assert.deepEqual(hours(raw), { ok: false, problem: "must be a whole number from 1 to 720" }, String(raw));
    assert.deepEqual(hours("0"), { ok: false, problem: "must be at least 1" });
    assert.deepEqual(hours("721"), { ok: false, problem: "must be at most 720" });
  });

  it("trimmed, one of, matching, non-empty and object refuse what does not fit", () => {
    assert.deepEqual(trimmed(3)("  ab "), { ok: true, value: "ab" });
    assert.equal(trimmed(3)("   ").ok, false);
    assert.equal(trimmed(3)("abcd").ok, false);
    assert.equal(trimmed(3)(12).ok, false);
    const mode = oneOf(["deployed", "local"], "must be deployed or local");
    assert.deepEqual(mode("local"), { ok: true, value: "local" });
    assert.deepEqual(mode(undefined), { ok: false, problem: "must be deployed or local" });
    assert.equal(mode("Local").ok, false);
    assert.deepEqual(matching(/^\d+$/, "digits", "required: a number")(undefined), { ok: false, problem: "required: a number" });
    assert.deepEqual(matching(/^\d+$/, "digits")(42), { ok: false, problem: "digits" });
    assert.equal(nonEmpty()(["a"]).ok, false);
    assert.equal(plainObject()({}).ok, true);
    for (const raw of [null, [], "{}", undefined]) assert.equal(plainObject()(raw).ok, false, String(raw));
  });

  it("the secret ARN map must be a JSON object of ARNs", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:botfleet-telegram-AbCdEf";
    assert.deepEqual(parseEntrySettings({ BOTFLEET_MODE: "deployed", BOTFLEET_SECRET_ARNS: JSON.stringify({ telegram: arn }) }).secretArns, { telegram: arn });
    for (const value of ["[]", "null", `["${arn}"]`, '""', ""]) {
      assert.throws(() => parseEntrySettings({ BOTFLEET_MODE: "deployed", BOTFLEET_SECRET_ARNS: value }), /BOTFLEET_SECRET_ARNS: must be a JSON object of secret name to ARN/, value);
    }
    assert.throws(() => parseEntrySettings({ BOTFLEET_MODE: "deployed", BOTFLEET_SECRET_ARNS: JSON.stringify({ telegram: 7, origin: arn }) }), /BOTFLEET_SECRET_ARNS: telegram: each value must be a Secrets Manager ARN/);
  });
});
