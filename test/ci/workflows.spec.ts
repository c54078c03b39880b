import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseYamlDocument as parseYaml } from "../../infra/yamlDocument";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  "continue-on-error"?: boolean | string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix?: { stack?: string[] } };
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(name: string): Workflow {
  return parseYaml(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
}

const pulumiSteps = (wf: Workflow) =>
  Object.values(wf.jobs).flatMap((job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")));

describe("GitHub workflows (path to production)", () => {
  it("previews every stack on pull requests with the policy pack and that stack's policy config", () => {
    const wf = load("preview.yml");
    assert.ok((wf.on as Record<string, unknown>).pull_request !== undefined);
    const [step] = pulumiSteps(wf);
    assert.equal(step?.with?.command, "preview");
    assert.equal(step?.with?.policyPacks, "policypacks/security");
    assert.equal(step?.with?.policyPackConfigs, "policypacks/security/config.${{ matrix.stack }}.json");
    assert.deepEqual(wf.jobs.preview?.strategy?.matrix?.stack, ["dev", "prod"]);
  });

  it("deploys on main only after the policy pass, offline and against the stack, with the same pack and config", () => {
    const wf = load("deploy.yml");
    assert.deepEqual((wf.on as { push: { branches: string[] } }).push.branches, ["main"]);
    const job = wf.jobs.up as Job;
    assert.deepEqual(job.strategy?.matrix?.stack, ["dev", "prod"]);
    const steps = job.steps;
    const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
    assert.ok(up >= 0, "deploy runs pulumi up");
    // pulumi/actions' up skips its own preview: the policy pass must come before it, in this job.
    const offline = steps.findIndex((s) => /^npm run -s plan -- --stack \$\{\{ matrix\.stack \}\}$/m.test(s.run ?? ""));
    const preview = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "preview");
    assert.ok(offline >= 0 && offline < up, "npm run plan for the stack runs before up");
    assert.ok(preview >= 0 && preview < up, "pulumi preview runs before up");
    for (const index of [offline, preview, up]) {
      const step = steps[index] as Step;
      assert.equal(step.if, undefined, "the policy pass and the deploy are never skipped or forced");
      assert.equal(step["continue-on-error"], undefined, "a failing policy pass stops the job");
    }
    for (const index of [preview, up]) {
      assert.equal(steps[index]?.with?.policyPacks, "policypacks/security");
      assert.equal(steps[index]?.with?.policyPackConfigs, "policypacks/security/config.${{ matrix.stack }}.json");
      assert.equal(steps[index]?.with?.["stack-name"], steps[up]?.with?.["stack-name"]);
    }
  });

  it("gets cloud credentials by OIDC, never from stored keys", () => {
    for (const name of ["preview.yml", "deploy.yml"]) {
      const wf = load(name);
      assert.equal(wf.permissions?.["id-token"], "write", `${name} may request OIDC tokens`);
      const text = fs.readFileSync(path.join(WORKFLOWS, name), "utf8");
      assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|credentials_json|PULUMI_ACCESS_TOKEN/, name);
      const uses = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.uses ?? ""));
      assert.ok(uses.some((u) => u.startsWith("aws-actions/configure-aws-credentials@")), `${name} assumes an AWS role`);
      assert.ok(uses.some((u) => u.startsWith("google-github-actions/auth@")), `${name} federates into GCP`);
      assert.ok(uses.some((u) => u.startsWith("pulumi/auth-actions@")), `${name} exchanges an OIDC token with Pulumi Cloud`);
    }
  });

  it("names only policy config files that exist", () => {
    for (const stack of ["dev", "prod"]) {
      assert.ok(fs.existsSync(path.join(ROOT, `policypacks/security/config.${stack}.json`)), `config.${stack}.json exists`);
    }
  });

  it("runs only npm scripts that exist", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const name of fs.readdirSync(WORKFLOWS)) {
      for (const job of Object.values(load(name).jobs)) {
        for (const step of job.steps) {
          for (const match of (step.run ?? "").matchAll(/npm run (?:-s )?([\w:-]+)/g)) {
            assert.ok(scripts[match[1] as string], `${name} runs npm script "${match[1]}" which package.json defines`);
          }
        }
      }
    }
  });

  it("CI runs exactly the README's set-up commands", () => {
    const ci = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    assert.match(ci, /^npm ci\b/m);
    assert.match(ci, /^npm test$/m);
    assert.match(readme, /^npm ci$/m);
    assert.match(readme, /^npm test\b/m);
  });
});
