/**
 * Resources that carry a resource-based policy, and the property that holds it: key, queue,
 * topic, table, secret, bucket and log policies, set on the resource itself or by a policy
 * resource of their own (pulumi-aws 7 schema).
 */
export const RESOURCE_POLICY_PROPERTIES: Readonly<Record<string, string>> = {
  "aws:kms/key:Key": "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
  "aws:secretsmanager/secret:Secret": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketV2:BucketV2": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
};

export const RESOURCE_POLICY_TYPES = Object.keys(RESOURCE_POLICY_PROPERTIES);
