import type { ResourceValidationArgs } from "@pulumi/policy";
import type { Props } from "./values";

/** A provider as a guard judges it: the resource itself when it is a provider, or the provider a resource uses. */
export interface JudgedProvider {
  readonly type: string;
  readonly name: string;
  readonly props: Props;
  /** True when the resource under analysis is this provider; false for a resource's provider reference. */
  readonly self: boolean;
}

/**
 * The engine analyzes every provider resource (default providers included: pulumi/pulumi
 * pkg/resource/deploy/default_providers.go registers them as ordinary resources) before any
 * resource that uses it, and sends each resource's provider with its inputs (AnalyzeRequest.provider).
 * Judging both stops `pulumi up` before the first change: a resource policy's mandatory violation
 * fails the step (step_generator.go analyzeAll), while stack policies run only after every step.
 */
export function providersToJudge(args: ResourceValidationArgs): JudgedProvider[] {
  if (args.type.startsWith("pulumi:providers:")) return [{ type: args.type, name: args.name, props: args.props as Props, self: true }];
  const provider = args.provider;
  return provider ? [{ type: provider.type, name: provider.name, props: provider.props as Props, self: false }] : [];
}

/** Default providers are registered as pulumi:providers:<pkg> named "default" or "default_<version>". */
export function isDefaultProviderName(name: string): boolean {
  return name === "default" || name.startsWith("default_");
}

/** The message for a resource whose provider breaks a guard: the fix belongs on the provider. */
export function onProvider(provider: JudgedProvider, message: string): string {
  return provider.self ? message.charAt(0).toUpperCase() + message.slice(1) : `This resource uses provider ${provider.name}: ${message}`;
}
