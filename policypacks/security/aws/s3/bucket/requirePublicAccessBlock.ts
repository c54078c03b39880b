import { perResource, stackPolicy, type StackVerdict } from "../../../lib/define";
import { bucketsIn, targetsBucket } from "../../../lib/s3";
import { isTrue } from "../../../lib/values";

const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const FIX = "Add an aws.s3.BucketPublicAccessBlock for this bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.";

/**
 * Severity critical. The public access block makes any public ACL or policy fail, whoever adds it
 * later (Checkov CKV_AWS_53–56 on the block, CKV2_AWS_6 on the bucket). Judged across the stack:
 * each bucket needs a block, and every block must set all four flags.
 */
export const awsS3BucketRequirePublicAccessBlock = stackPolicy({
  name: "aws-s3-bucket-require-public-access-block",
  description: "S3 buckets must have a public access block with all four settings on.",
  severity: "critical",
  check: (resources): StackVerdict[] => {
    const blocks = resources.filter((r) => r.type === PAB);
    return [
      ...perResource(blocks, (block) => {
        const off = FLAGS.filter((flag) => !isTrue(block.props[flag]));
        return off.length === 0 ? [] : [`Set ${off.join(", ")} to true.`];
      }),
      ...perResource(bucketsIn(resources), (bucket) => (blocks.some((b) => targetsBucket(b, bucket)) ? [] : [FIX])),
    ];
  },
});
