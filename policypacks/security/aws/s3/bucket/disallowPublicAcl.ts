import { resourcePolicy } from "../../../lib/define";
import { decide, type Verdict } from "../../../lib/unknowns";
import { field, isRecord, text } from "../../../lib/values";

const PUBLIC_CANNED = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GROUPS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

function grantVerdicts(grants: unknown): Verdict[] {
  if (!Array.isArray(grants)) return [];
  return [...grants.keys()].flatMap((i) =>
    decide(() => {
      const grant: unknown = grants[i];
      const uri = isRecord(grant) ? (text(field(grant, "grantee", "uri")) ?? text(grant.uri)) : undefined;
      return uri !== undefined && PUBLIC_GROUPS.test(uri) ? [`Remove the grant to ${uri}: everyone on the internet (or every AWS account) could use it.`] : [];
    }),
  );
}

/**
 * Severity critical. A canned ACL public-read/public-read-write/authenticated-read, or a grant to
 * the AllUsers or AuthenticatedUsers group, on the bucket itself or through BucketAcl(V2) (Checkov
 * CKV_AWS_20, CKV_AWS_57, CKV_AWS_375, CKV2_AWS_43; compliance-policies disallow-public-read).
 */
export const awsS3BucketDisallowPublicAcl = resourcePolicy({
  name: "aws-s3-bucket-disallow-public-acl",
  description: "S3 buckets must not be readable or writable by everyone through ACLs.",
  severity: "critical",
  types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  check: (props) => [
    ...decide(() => {
      const canned = text(props.acl);
      return canned !== undefined && PUBLIC_CANNED.includes(canned) ? [`Remove acl "${canned}": keep the bucket private and grant access by policy to named principals.`] : [];
    }),
    ...decide(() => grantVerdicts(field(props, "accessControlPolicy", "grants"))),
    ...decide(() => grantVerdicts(props.grants)),
  ],
});
