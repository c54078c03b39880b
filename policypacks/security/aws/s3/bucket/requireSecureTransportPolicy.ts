import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../../../lib/define";
import { parseStatements, type Statement } from "../../../lib/iamDocument";
import { bucketsIn, targetsBucket } from "../../../lib/s3";

/** A Deny for everyone and every S3 action when aws:SecureTransport is false. */
function deniesInsecureTransport(s: Statement): boolean {
  return (
    s.effect === "Deny" &&
    s.principals.some((p) => p === "*" || p === "AWS:*") &&
    s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
    s.conditions.some((c) => c.operator === "Bool" && c.key === "aws:securetransport" && c.values.includes("false"))
  );
}

function policiesOf(bucket: PolicyResource, resources: readonly PolicyResource[]): unknown[] {
  const attached = resources
    .filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && targetsBucket(r, bucket))
    .map((r) => r.props.policy);
  return bucket.props.policy === undefined ? attached : [bucket.props.policy, ...attached];
}

/** Severity high. Without this statement a client can read or write objects over plain HTTP. */
export const awsS3BucketRequireSecureTransportPolicy = stackPolicy({
  name: "aws-s3-bucket-require-secure-transport-policy",
  description: "S3 buckets must have a bucket policy that denies requests without TLS.",
  severity: "high",
  check: (resources) =>
    bucketsIn(resources)
      .filter((bucket) => !policiesOf(bucket, resources).some((doc) => parseStatements(doc).some(deniesInsecureTransport)))
      .map((bucket) => ({
        urn: bucket.urn,
        message:
          'Attach an aws.s3.BucketPolicy with { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
      })),
});
