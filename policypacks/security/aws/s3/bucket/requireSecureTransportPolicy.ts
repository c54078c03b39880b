import type { PolicyResource } from "@pulumi/policy";
import { perResource, stackPolicy } from "../../../lib/define";
import { parseStatements, type Statement } from "../../../lib/iamDocument";
import { bucketsIn, targetsBucket } from "../../../lib/s3";
import { decide } from "../../../lib/unknowns";

/** A Deny for everyone and every S3 action when aws:SecureTransport is false. */
function deniesInsecureTransport(s: Statement): boolean {
  return (
    s.effect === "Deny" &&
    s.principals.some((p) => p === "*" || p === "AWS:*") &&
    s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
    s.conditions.some((c) => c.operator === "Bool" && c.key === "aws:securetransport" && c.values.includes("false"))
  );
}

/** Whether any policy of the bucket denies plain HTTP; a policy still unknown leaves it undecided (throws). */
function deniesPlainHttp(bucket: PolicyResource, resources: readonly PolicyResource[]): boolean {
  const attached = resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && decide(() => (targetsBucket(r, bucket) ? ["yes"] : [])).length > 0);
  const documents = [() => bucket.props.policy, ...attached.map((r) => () => r.props.policy)];
  return documents.some((read) => parseStatements(read()).some(deniesInsecureTransport));
}

/** Severity high. Without this statement a client can read or write objects over plain HTTP. Judged per bucket. */
export const awsS3BucketRequireSecureTransportPolicy = stackPolicy({
  name: "aws-s3-bucket-require-secure-transport-policy",
  description: "S3 buckets must have a bucket policy that denies requests without TLS.",
  severity: "high",
  check: (resources) =>
    perResource(bucketsIn(resources), (bucket) =>
      deniesPlainHttp(bucket, resources)
        ? []
        : ['Attach an aws.s3.BucketPolicy with { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }.'],
    ),
});
