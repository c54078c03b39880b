import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policypacks/security/policies";

const ROOT = path.join(__dirname, "..", "..");
const SECTION = "## What is protected and how";
const LIMITS = "### Limits of these guarantees";
const POLICY_NAME = /^(aws|gcp|cloudflare|stack)-[a-z0-9-]+$/;

interface Claim {
  readonly text: string;
  readonly references: readonly string[];
}

/** The bullets of SECURITY.md's "What is protected and how" (before its limits), with their `references`. */
export function claimsOf(markdown: string): Claim[] {
  const start = markdown.indexOf(SECTION);
  if (start < 0) throw new Error(`SECURITY.md has no "${SECTION}" section`);
  const rest = markdown.slice(start + SECTION.length);
  const end = rest.search(/^## /m);
  const section = (end < 0 ? rest : rest.slice(0, end)).split(LIMITS)[0] ?? "";
  const bullets = section.split(/^- /m).slice(1).map((b) => b.split(/^#/m)[0] ?? "");
  return bullets.map((text) => ({ text: text.trim(), references: [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string) }));
}

/** What is wrong with the claims: unknown policies, missing files, claims naming no enforcer, unnamed mandatory policies. */
export function claimProblems(markdown: string, policyNames: readonly string[], exists: (file: string) => boolean): string[] {
  const problems: string[] = [];
  const named = new Set<string>();
  for (const claim of claimsOf(markdown)) {
    let enforcers = 0;
    for (const ref of claim.references) {
      if (POLICY_NAME.test(ref)) {
        if (policyNames.includes(ref)) {
          named.add(ref);
          enforcers++;
        } else problems.push(`names policy ${ref}, which the pack does not have`);
      } else if (/^(test|tools|infra|runtime|policypacks)\/|^Pulumi\./.test(ref)) {
        const files = ref.includes("<stack>") ? ["dev", "prod"].map((s) => ref.replace("<stack>", s)) : [ref];
        for (const file of files) if (!exists(file)) problems.push(`names ${file}, which does not exist`);
        if (/\.spec\.ts$/.test(ref) && files.every(exists)) enforcers++;
      }
    }
    if (enforcers === 0) problems.push(`claim names no policy or test: "${claim.text.slice(0, 80)}..."`);
  }
  for (const name of policyNames) if (!named.has(name)) problems.push(`mandatory policy ${name} is not named in "${SECTION}"`);
  return problems;
}

describe("SECURITY.md: every claim names what enforces it", () => {
  const markdown = fs.readFileSync(path.join(ROOT, "SECURITY.md"), "utf8");
  const prodConfig = JSON.parse(fs.readFileSync(path.join(ROOT, "policypacks", "security", "config.prod.json"), "utf8")) as Record<string, unknown>;
  const mandatory = policies
    .map((p) => p.name)
    .filter((name) => {
      const entry = prodConfig[name];
      const level = typeof entry === "string" ? entry : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel;
      return (level ?? "mandatory") === "mandatory";
    });
  const exists = (file: string) => fs.existsSync(path.join(ROOT, file));

  it("keeps the reporting and supported-versions sections", () => {
    assert.match(markdown, /^## Supported versions$/m);
    assert.match(markdown, /^## Reporting a vulnerability$/m);
  });

  it("covers edge, API, functions, store, archive, secrets, identities and accounts", () => {
    for (const component of ["Edge", "API", "Functions", "Store", "Archive", "Secrets", "Identities", "Accounts"]) {
      assert.match(markdown, new RegExp(`^### ${component}\\b`, "m"), component);
    }
  });

  it("names only existing policies and files, a policy or test in every claim, and every mandatory policy", () => {
    assert.ok(mandatory.length === policies.length, "prod runs every policy as mandatory");
    assert.deepEqual(claimProblems(markdown, mandatory, exists), []);
  });

  it("fails for a claim naming a policy or test that does not exist", () => {
    const forged = markdown.replace("`aws-kms-key-require-rotation`", "`aws-kms-key-require-rotashun`").replace("`test/runtime/http.spec.ts`", "`test/runtime/no-such.spec.ts`");
    const problems = claimProblems(forged, mandatory, exists);
    assert.ok(problems.some((p) => p.includes("aws-kms-key-require-rotashun")));
    assert.ok(problems.some((p) => p.includes("test/runtime/no-such.spec.ts")));
    assert.ok(problems.some((p) => p.includes("mandatory policy aws-kms-key-require-rotation is not named")));
  });

  it("fails for a claim that names no enforcer", () => {
    const bare = markdown.replace("### Store (DynamoDB)\n", "### Store (DynamoDB)\n\n- Everything is fine.\n");
    assert.ok(claimProblems(bare, mandatory, exists).some((p) => p.includes("Everything is fine")));
  });
});
