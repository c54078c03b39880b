import { AWS_ACCOUNT_SCHEMA, configString, ENVIRONMENT_SCHEMA, GCP_PROJECT_SCHEMA, stackPolicy } from "../lib/define";
import { stringList, text } from "../lib/values";

/**
 * Severity critical. Prod must never share dev's AWS account or GCP project: a dev experiment
 * could otherwise read or destroy prod data. Config: "environment", and dev's "devAccountId" and
 * "devProject" (config.prod.json); not applicable to dev.
 */
export const stackRequireProdAccountsDifferFromDev = stackPolicy({
  name: "stack-require-prod-accounts-differ-from-dev",
  description: "The prod stack must not deploy into dev's AWS account or GCP project.",
  severity: "critical",
  configSchema: {
    properties: { environment: ENVIRONMENT_SCHEMA, devAccountId: AWS_ACCOUNT_SCHEMA, devProject: GCP_PROJECT_SCHEMA },
  },
  check: (resources, args) => {
    if (configString(args, "environment") !== "prod") return [];
    const devAccount = configString(args, "devAccountId");
    const devProject = configString(args, "devProject");
    if (devAccount === undefined || devProject === undefined) {
      return [{ message: 'Configure dev\'s accounts for the prod check: { "devAccountId": "<12 digits>", "devProject": "<project id>" } in config.prod.json.' }];
    }
    return resources.flatMap((r) => {
      if (r.type === "pulumi:providers:aws" && stringList(r.props.allowedAccountIds).includes(devAccount)) {
        return [{ urn: r.urn, message: `Prod's AWS provider allows dev's account ${devAccount}: use the prod account.` }];
      }
      if (r.type === "pulumi:providers:gcp" && text(r.props.project) === devProject) {
        return [{ urn: r.urn, message: `Prod's GCP provider targets dev's project ${devProject}: use the prod project.` }];
      }
      return [];
    });
  },
});
