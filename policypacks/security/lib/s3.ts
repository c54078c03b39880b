import type { PolicyResource } from "@pulumi/policy";
import { isCustomerManagedKeyRef, isRecord, text } from "./values";

/** Bucket resources, v1-style and v2-style, and the separate resources that configure them. */
export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/**
 * Whether a bucket-configuring resource (policy, SSE configuration) points at this bucket: by the
 * bucket's name or id, or by a recorded dependency of its `bucket` property.
 */
export function targetsBucket(config: PolicyResource, bucket: PolicyResource): boolean {
  if ((config.propertyDependencies?.bucket ?? []).some((dep) => dep.urn === bucket.urn)) return true;
  const target = text(config.props.bucket);
  if (target === undefined) return false;
  return [text(bucket.props.bucket), text(bucket.props.id)].includes(target);
}

export function bucketsIn(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => BUCKET_TYPES.includes(r.type));
}

/** Whether an SSE rule (or list of rules) uses KMS ("aws:kms" or "aws:kms:dsse") with a customer-managed key. */
export function usesKms(rules: unknown): boolean {
  const list = Array.isArray(rules) ? rules : rules === undefined ? [] : [rules];
  return list.some((rule) => {
    const byDefault = isRecord(rule) ? rule.applyServerSideEncryptionByDefault : undefined;
    const first = Array.isArray(byDefault) ? byDefault[0] : byDefault;
    return (
      isRecord(first) &&
      typeof first.sseAlgorithm === "string" &&
      first.sseAlgorithm.startsWith("aws:kms") &&
      (first.kmsMasterKeyId === undefined || isCustomerManagedKeyRef(first.kmsMasterKeyId))
    );
  });
}
