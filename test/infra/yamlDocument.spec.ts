import { strict as assert } from "node:assert";
import { parseYamlDocument, yamlProblem } from "../../infra/yamlDocument";

describe("reading a Pulumi YAML file (infra/yamlDocument.ts)", () => {
  it("reads YAML 1.2 core types only: dates, yes/no and on/off stay strings, as the CLI passes them to the program", () => {
    const doc = parseYamlDocument("config:\n  a:retention: 2026-01-01\n  a:flag: yes\n  a:mode: off\n  a:on: true\n  a:count: 7\n  a:none: ~\n");
    assert.deepEqual(doc, { config: { "a:retention": "2026-01-01", "a:flag": "yes", "a:mode": "off", "a:on": true, "a:count": 7, "a:none": null } });
  });

  it("refuses a key given twice and says where (1-based line and column)", () => {
    let thrown: unknown;
    try {
      parseYamlDocument("config:\n  a:x: 1\nconfig:\n  a:y: 2\n");
    } catch (error) {
      thrown = error;
    }
    assert.deepEqual(yamlProblem(thrown), { line: 3, column: 1, reason: "duplicated mapping key" });
  });

  it("names no position for an error that is not the YAML's", () => {
    assert.equal(yamlProblem(new Error("EACCES")), undefined);
  });
});
