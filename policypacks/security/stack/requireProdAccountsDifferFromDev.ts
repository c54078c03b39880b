import { AWS_ACCOUNT_SCHEMA, configString, ENVIRONMENT_SCHEMA, GCP_PROJECT_SCHEMA, resourcePolicy } from "../lib/define";
import { onProvider, providersToJudge } from "../lib/providers";
import { stringList, text } from "../lib/values";

/**
 * Severity critical. Prod must never share dev's AWS account or GCP project: a dev experiment
 * could otherwise read or destroy prod data. Config: "environment", and dev's "devAccountId" and
 * "devProject" (config.prod.json); not applicable to dev. Judged on each provider and on every
 * resource's provider, so `pulumi up` stops before the first change.
 */
export const stackRequireProdAccountsDifferFromDev = resourcePolicy({
  name: "stack-require-prod-accounts-differ-from-dev",
  description: "The prod stack must not deploy into dev's AWS account or GCP project.",
  severity: "critical",
  types: "all",
  configSchema: {
    properties: { environment: ENVIRONMENT_SCHEMA, devAccountId: AWS_ACCOUNT_SCHEMA, devProject: GCP_PROJECT_SCHEMA },
  },
  check: (_props, args) => {
    if (configString(args, "environment") !== "prod") return [];
    const devAccount = configString(args, "devAccountId");
    const devProject = configString(args, "devProject");
    return providersToJudge(args).flatMap((provider) => {
      if (devAccount === undefined || devProject === undefined) {
        return provider.self ? ['Configure dev\'s accounts for the prod check: { "devAccountId": "<12 digits>", "devProject": "<project id>" } in config.prod.json.'] : [];
      }
      if (provider.type === "pulumi:providers:aws" && stringList(provider.props.allowedAccountIds).includes(devAccount)) {
        return [onProvider(provider, `prod's AWS provider allows dev's account ${devAccount}: use the prod account.`)];
      }
      if (provider.type === "pulumi:providers:gcp" && text(provider.props.project) === devProject) {
        return [onProvider(provider, `prod's GCP provider targets dev's project ${devProject}: use the prod project.`)];
      }
      return [];
    });
  },
});
