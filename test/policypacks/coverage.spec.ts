import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { COVERAGE } from "../../policypacks/security/coverage/matrix";
import { coverageProblems, renderCoverage, totals } from "../../policypacks/security/coverage/render";
import { policies } from "../../policypacks/security/policies";
import { runProgram } from "../../tools/program/runUnderMocks";

const README = path.join(__dirname, "..", "..", "README.md");
const START = "<!-- coverage:start (generated: npx tsx policypacks/security/coverage/render.ts) -->";
const END = "<!-- coverage:end -->";
const names = policies.map((p) => p.name);

describe("policy pack: coverage matrix against Checkov, compliance-policies and awsguard", function () {
  this.timeout(120_000);
  let deployed: string[] = [];

  before(async () => {
    // Every custom resource type our program deploys, both stacks (components are not deployed to a cloud).
    const runs = [await runProgram("dev"), await runProgram("prod")];
    deployed = [...new Set(runs.flatMap((run) => run.resources.filter((r) => r.custom).map((r) => r.type)))].sort();
  });

  it("names a policy of the pack or a reason for every requirement, and has a row for every type the program deploys", () => {
    assert.ok(deployed.length > 20, "the program deployed resources");
    assert.deepEqual(coverageProblems(COVERAGE, names, deployed), []);
  });

  it("fails for an entry with neither policy nor reason, a policy that does not exist, and a deployed type without a row", () => {
    const forged = [...COVERAGE, { anchor: "checkov" as const, id: "CKV_X_1", title: "t", types: ["aws:x/y:Y"] }, { anchor: "checkov" as const, id: "CKV_X_2", title: "t", types: ["aws:x/y:Y"], policies: ["aws-no-such-policy"] }];
    const problems = coverageProblems(forged, names, [...deployed, "aws:new/thing:Thing"]);
    assert.ok(problems.some((p) => p.includes("CKV_X_1 names neither")));
    assert.ok(problems.some((p) => p.includes("aws-no-such-policy")));
    assert.ok(problems.some((p) => p.includes("aws:new/thing:Thing has no row")));
  });

  it("enforces most anchor requirements, and every policy of the pack appears in the matrix", () => {
    const t = totals();
    assert.ok(t.enforced > t.omitted, JSON.stringify(t));
    const named = new Set(COVERAGE.flatMap((r) => r.policies ?? []));
    assert.deepEqual(names.filter((n) => !named.has(n)), []);
  });

  it("is rendered in README between the coverage markers, exactly as generated", () => {
    const readme = fs.readFileSync(README, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    assert.ok(start >= 0 && end > start, "README has the coverage markers");
    assert.equal(readme.slice(start + START.length, end).trim(), renderCoverage().trim(), "README's coverage table is stale: regenerate it with npx tsx policypacks/security/coverage/render.ts");
  });
});
