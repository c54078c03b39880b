import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A policy pack that reports what the engine (here: the gate) sent it, as advisory findings whose
 * message is JSON: started exactly like the security pack, so a test sees each request through
 * @pulumi/policy's own deserialisation and unknown-checking proxy.
 *  - probe-resource: every resource as Analyze receives it (raw properties: secrets unwrapped,
 *    unknowns as their sentinel), its options and its provider's properties.
 *  - probe-stack: every resource as AnalyzeStack receives it, with parent, dependencies and
 *    property dependencies resolved to URNs.
 *  - probe-secret-read: reads a SecretVersion's `secretString` the way a policy does (through the
 *    proxy), so an unknown value turns into "can't run policy ... during preview".
 *  - probe-config: reports the config it runs with: a schema default (days: 30) and the pack's
 *    initial config (mode: "initial"), under whatever the --policy-pack-config file sets.
 */
export const PROBE_PACK_SOURCE = `
const { PolicyPack } = require("@pulumi/policy");
// The raw object behind @pulumi/policy's proxy (no unknown check), without the functions' bundles.
const raw = (props) => {
  const { code, ...rest } = props["__getSpecialProxyTarget"];
  return rest;
};
new PolicyPack("probe", {
  enforcementLevel: "advisory",
  policies: [
    {
      name: "probe-resource",
      description: "Reports each resource as Analyze receives it.",
      validateResource: (args, report) => {
        report(JSON.stringify({ urn: args.urn, type: args.type, props: raw(args.props), opts: args.opts, provider: args.provider ? { urn: args.provider.urn, props: raw(args.provider.props) } : null }));
      },
    },
    {
      name: "probe-stack",
      description: "Reports the stack as AnalyzeStack receives it.",
      validateStack: (args, report) => {
        report(JSON.stringify(args.resources.map((r) => ({
          urn: r.urn,
          props: raw(r.props),
          parent: r.parent ? r.parent.urn : null,
          dependencies: r.dependencies.map((d) => d.urn),
          propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map((d) => d.urn)])),
          provider: r.provider ? r.provider.urn : null,
          protect: r.opts.protect,
        }))));
      },
    },
    {
      name: "probe-config",
      description: "Reports its config.",
      configSchema: { properties: { days: { type: "integer", minimum: 1, default: 30 }, mode: { type: "string" } } },
      validateStack: (args, report) => report(JSON.stringify(args.getConfig())),
    },
    {
      name: "probe-secret-read",
      description: "Reads a SecretVersion's secret string.",
      validateResource: (args, report) => {
        if (args.type !== "aws:secretsmanager/secretVersion:SecretVersion") return;
        report("secretString has " + String(args.props.secretString).length + " characters");
      },
    },
  ],
}, { "probe-config": { enforcementLevel: "advisory", mode: "initial" } });
`;

/**
 * Writes a one-file JavaScript policy pack as .tmp/<name>-policy-pack inside the repository (so it
 * resolves @pulumi/policy from node_modules); returns its directory.
 */
export function writePolicyPack(root: string, name: string, source: string): string {
  const dir = path.join(root, ".tmp", `${name}-policy-pack`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `${name}-pack`, version: "0.0.1", main: "index.js" }));
  fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  fs.writeFileSync(path.join(dir, "index.js"), source);
  return dir;
}

/** Writes the probe pack; returns its directory. */
export function probePackDir(root: string): string {
  const dir = writePolicyPack(root, "probe", PROBE_PACK_SOURCE);
  // Its policy config: none of the security pack's policies exist here.
  fs.writeFileSync(path.join(dir, "config.json"), "{}\n");
  return dir;
}
