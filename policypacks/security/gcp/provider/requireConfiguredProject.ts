import { configString, GCP_PROJECT_SCHEMA, stackPolicy } from "../../lib/define";
import { text } from "../../lib/values";

/**
 * Severity critical. A GCP provider without an explicit project deploys into whatever project the
 * ambient credentials default to. The stack's project comes from this policy's config ("project").
 */
export const gcpProviderRequireConfiguredProject = stackPolicy({
  name: "gcp-provider-require-configured-project",
  description: "Every GCP provider must name exactly this stack's project.",
  severity: "critical",
  configSchema: { properties: { project: GCP_PROJECT_SCHEMA } },
  check: (resources, args) => {
    const expected = configString(args, "project");
    return resources
      .filter((r) => r.type === "pulumi:providers:gcp")
      .flatMap((provider) => {
        if (expected === undefined) {
          return [{ urn: provider.urn, message: 'Configure this stack\'s project: --policy-pack-config with { "gcp-provider-require-configured-project": { "project": "<project id>" } }.' }];
        }
        const project = text(provider.props.project);
        return project === expected ? [] : [{ urn: provider.urn, message: `Set project: "${expected}" (found ${JSON.stringify(project ?? null)}).` }];
      });
  },
});
