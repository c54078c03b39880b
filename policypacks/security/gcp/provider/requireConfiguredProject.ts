import { configString, GCP_PROJECT_SCHEMA, resourcePolicy } from "../../lib/define";
import { onProvider, providersToJudge } from "../../lib/providers";
import { text } from "../../lib/values";

/**
 * Severity critical. A GCP provider without an explicit project deploys into whatever project the
 * ambient credentials default to. The stack's project comes from this policy's config ("project").
 * Judged on each provider and on every resource's provider, before the first change.
 */
export const gcpProviderRequireConfiguredProject = resourcePolicy({
  name: "gcp-provider-require-configured-project",
  description: "Every GCP provider must name exactly this stack's project.",
  severity: "critical",
  types: "all",
  configSchema: { properties: { project: GCP_PROJECT_SCHEMA } },
  check: (_props, args) => {
    const expected = configString(args, "project");
    return providersToJudge(args)
      .filter((p) => p.type === "pulumi:providers:gcp")
      .flatMap((provider) => {
        if (expected === undefined) {
          return provider.self ? ['Configure this stack\'s project: --policy-pack-config with { "gcp-provider-require-configured-project": { "project": "<project id>" } }.'] : [];
        }
        const project = text(provider.props.project);
        return project === expected ? [] : [onProvider(provider, `set project: "${expected}" (found ${JSON.stringify(project ?? null)}).`)];
      });
  },
});
