import type { ResourceValidationArgs } from "@pulumi/policy";
import { stringList } from "./values";

/**
 * The stack's own AWS accounts, from the provider the resource is deployed with (its
 * allowedAccountIds, JSON-encoded as provider inputs are). Empty when the provider does not pin
 * one: aws-provider-require-allowed-account reports that, and cross-account judgements that need
 * our account are then made against none (every named account counts as foreign).
 */
export function stackAccounts(args: ResourceValidationArgs): string[] {
  const provider = args.provider;
  if (!provider || provider.type !== "pulumi:providers:aws") return [];
  return stringList(provider.props.allowedAccountIds);
}
