import { resourcePolicy } from "../lib/define";
import { isDefaultProviderName } from "../lib/providers";

/** A provider package's resource type: "<pkg>:<module>/<name>:<Type>" or "<pkg>:index:<Type>" (not a component). */
function isProviderResourceType(type: string): boolean {
  const [pkg, module] = type.split(":");
  return pkg !== "pulumi" && module !== undefined && (module.includes("/") || module === "index");
}

/**
 * Severity critical. A default provider takes its account, project and credentials from the
 * deployer's environment: the deploy lands wherever their shell points. Judged per resource (the
 * default provider itself, then each resource that would use one), so `pulumi up` stops first.
 */
export const stackDisallowDefaultProviders = resourcePolicy({
  name: "stack-disallow-default-providers",
  description: "No resource may use a default provider; every resource gets an explicit, pinned provider.",
  severity: "critical",
  types: "all",
  check: (_props, args) => {
    if (args.type.startsWith("pulumi:providers:")) {
      return isDefaultProviderName(args.name) ? ['Set pulumi:disable-default-providers: ["*"] in Pulumi.yaml and pass an explicit provider to every resource.'] : [];
    }
    if (args.provider) {
      return isDefaultProviderName(args.provider.name) ? [`Pass { provider } explicitly: this resource uses ${args.provider.name}.`] : [];
    }
    return isProviderResourceType(args.type) ? ["Pass { provider } explicitly: no provider is recorded for this resource."] : [];
  },
});
