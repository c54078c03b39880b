import { stackPolicy } from "../lib/define";

/** Default providers are registered as pulumi:providers:<pkg> named "default" or "default_<version>". */
function isDefaultProvider(type: string, name: string): boolean {
  return type.startsWith("pulumi:providers:") && name.startsWith("default");
}

/** A provider package's resource type: "<pkg>:<module>/<name>:<Type>" or "<pkg>:index:<Type>" (not a component). */
function isProviderResourceType(type: string): boolean {
  const [pkg, module] = type.split(":");
  return pkg !== "pulumi" && module !== undefined && (module.includes("/") || module === "index");
}

/**
 * Severity critical. A default provider takes its account, project and credentials from the
 * deployer's environment: the deploy lands wherever their shell points.
 */
export const stackDisallowDefaultProviders = stackPolicy({
  name: "stack-disallow-default-providers",
  description: "No resource may use a default provider; every resource gets an explicit, pinned provider.",
  severity: "critical",
  check: (resources) =>
    resources.flatMap((r) => {
      if (isDefaultProvider(r.type, r.name)) {
        return [{ urn: r.urn, message: 'Set pulumi:disable-default-providers: ["*"] in Pulumi.yaml and pass an explicit provider to every resource.' }];
      }
      if (r.provider && isDefaultProvider(r.provider.type, r.provider.name)) {
        return [{ urn: r.urn, message: `Pass { provider } explicitly: this resource uses ${r.provider.name}.` }];
      }
      if (!r.provider && isProviderResourceType(r.type)) {
        return [{ urn: r.urn, message: "Pass { provider } explicitly: no provider is recorded for this resource." }];
      }
      return [];
    }),
});
