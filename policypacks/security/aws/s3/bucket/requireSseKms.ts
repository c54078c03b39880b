import { perResource, stackPolicy } from "../../../lib/define";
import { bucketsIn, targetsBucket, usesKms } from "../../../lib/s3";
import { field } from "../../../lib/values";

const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];

/**
 * Severity high. SSE-KMS with a customer-managed key may be set on the bucket itself
 * (serverSideEncryptionConfiguration) or by a separate BucketServerSideEncryptionConfiguration,
 * so this is judged across the stack, per bucket.
 */
export const awsS3BucketRequireSseKms = stackPolicy({
  name: "aws-s3-bucket-require-sse-kms",
  description: "S3 buckets must use SSE-KMS default encryption with a customer-managed key.",
  severity: "high",
  check: (resources) => {
    const configs = resources.filter((r) => SSE_TYPES.includes(r.type));
    return perResource(bucketsIn(resources), (bucket) => {
      const inline = field(bucket.props, "serverSideEncryptionConfiguration");
      if (usesKms(field(inline, "rule")) || usesKms(field(inline, "rules"))) return [];
      if (configs.some((c) => targetsBucket(c, bucket) && usesKms(c.props.rules ?? c.props.rule))) return [];
      return ['Add an aws.s3.BucketServerSideEncryptionConfiguration for this bucket with sseAlgorithm "aws:kms" and your key as kmsMasterKeyId (not alias/aws/s3).'];
    });
  },
});
