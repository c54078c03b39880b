import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config";
import { createProviders } from "./providers";

/** What the stack exports (never a secret value). */
export interface StackOutputs {
  readonly environment: string;
  readonly awsAccountId: string;
  readonly gcpProject: string;
  readonly apiHostname: string;
}

/**
 * The whole botfleet deployment for one stack. Components are composed here; each lives in
 * infra/<cloud>/ and receives the providers explicitly.
 */
export function botfleet(settings: Settings): StackOutputs {
  const providers = createProviders(settings);
  void providers;
  void pulumi;

  return {
    environment: settings.environment,
    awsAccountId: settings.aws.accountId,
    gcpProject: settings.gcp.project,
    apiHostname: settings.apiHostname,
  };
}
