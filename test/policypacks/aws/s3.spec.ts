import { awsS3BucketRequireSecureTransportPolicy } from "../../../policypacks/security/aws/s3/bucket/requireSecureTransportPolicy";
import { awsS3BucketRequireSseKms } from "../../../policypacks/security/aws/s3/bucket/requireSseKms";
import { analyzeStack, expectClean, expectViolation, type TestResource, withProp } from "../harness";

const KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/0d5c6d0e-1111-4a4a-9b9b-0123456789ab";
const bucket: TestResource = { type: "aws:s3/bucket:Bucket", name: "exports", props: { bucket: "botfleet-dev-exports" } };
const sse: TestResource = {
  type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  name: "exports-sse",
  props: { bucket: "botfleet-dev-exports", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN } }] },
};
const denyInsecure = {
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: ["arn:aws:s3:::botfleet-dev-exports", "arn:aws:s3:::botfleet-dev-exports/*"],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const policy: TestResource = {
  type: "aws:s3/bucketPolicy:BucketPolicy",
  name: "exports-policy",
  props: { bucket: "botfleet-dev-exports", policy: JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecure] }) },
};
const compliant = [bucket, sse, policy];

describe("policy pack: S3 buckets (judged across the stack)", () => {
  it("accepts a bucket with a separate SSE-KMS configuration and a TLS-only bucket policy", async () => {
    expectClean(await analyzeStack(awsS3BucketRequireSseKms, compliant));
    expectClean(await analyzeStack(awsS3BucketRequireSecureTransportPolicy, compliant));
  });

  it("accepts SSE-KMS set on the bucket itself (v1 serverSideEncryptionConfiguration)", async () => {
    const inline = { ...bucket, props: { ...bucket.props, serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } } };
    expectClean(await analyzeStack(awsS3BucketRequireSseKms, [inline, policy]));
  });

  it("rejects a bucket with no encryption configuration", async () => {
    expectViolation(await analyzeStack(awsS3BucketRequireSseKms, [bucket, policy]), "aws-s3-bucket-require-sse-kms");
  });

  it("rejects SSE-S3 (AES256) instead of SSE-KMS", async () => {
    const aes = { ...sse, props: withProp(sse.props, "rules", [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]) };
    expectViolation(await analyzeStack(awsS3BucketRequireSseKms, [bucket, aes, policy]), "aws-s3-bucket-require-sse-kms");
  });

  it("rejects an SSE configuration that belongs to another bucket", async () => {
    const other = { ...sse, props: withProp(sse.props, "bucket", "someone-elses-bucket") };
    expectViolation(await analyzeStack(awsS3BucketRequireSseKms, [bucket, other, policy]), "aws-s3-bucket-require-sse-kms");
  });

  it("rejects a bucket without a bucket policy", async () => {
    expectViolation(await analyzeStack(awsS3BucketRequireSecureTransportPolicy, [bucket, sse]), "aws-s3-bucket-require-secure-transport-policy");
  });

  it("rejects a bucket policy whose deny does not test aws:SecureTransport", async () => {
    const weak = { ...policy, props: withProp(policy.props, "policy", JSON.stringify({ Statement: [{ ...denyInsecure, Condition: undefined }] })) };
    expectViolation(await analyzeStack(awsS3BucketRequireSecureTransportPolicy, [bucket, sse, weak]), "aws-s3-bucket-require-secure-transport-policy");
  });
});
