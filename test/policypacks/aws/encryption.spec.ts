import { awsCloudwatchLogGroupRequireCmkEncryption } from "../../../policypacks/security/aws/cloudwatch/logGroup/requireCmkEncryption";
import { awsCloudwatchLogGroupRequireRetention } from "../../../policypacks/security/aws/cloudwatch/logGroup/requireRetention";
import { awsKmsKeyRequireRotation } from "../../../policypacks/security/aws/kms/key/requireRotation";
import { awsLambdaFunctionRequireEnvironmentCmk } from "../../../policypacks/security/aws/lambda/function/requireEnvironmentCmk";
import { awsSecretsmanagerSecretRequireCmkEncryption } from "../../../policypacks/security/aws/secretsmanager/secret/requireCmkEncryption";
import { awsSnsTopicRequireCmkEncryption } from "../../../policypacks/security/aws/sns/topic/requireCmkEncryption";
import { awsSqsQueueRequireCmkEncryption } from "../../../policypacks/security/aws/sqs/queue/requireCmkEncryption";
import { analyze, expectClean, expectViolation, withProp } from "../harness";

const KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/0d5c6d0e-1111-4a4a-9b9b-0123456789ab";

describe("policy pack: AWS encryption at rest", () => {
  describe("KMS keys", () => {
    const key = { description: "botfleet data", enableKeyRotation: true, deletionWindowInDays: 30 };
    it("accepts a symmetric key with rotation", async () => {
      expectClean(await analyze(awsKmsKeyRequireRotation, { type: "aws:kms/key:Key", props: key }));
    });
    it("rejects a symmetric key without rotation", async () => {
      const props = withProp(key, "enableKeyRotation", false);
      expectViolation(await analyze(awsKmsKeyRequireRotation, { type: "aws:kms/key:Key", props }), "aws-kms-key-require-rotation");
    });
    it("does not ask an asymmetric key to rotate (AWS cannot)", async () => {
      const props = withProp(withProp(key, "enableKeyRotation", false), "customerMasterKeySpec", "RSA_2048");
      expectClean(await analyze(awsKmsKeyRequireRotation, { type: "aws:kms/key:Key", props }));
    });
  });

  describe("Lambda environment", () => {
    const fn = { runtime: "nodejs22.x", kmsKeyArn: KEY_ARN, environment: { variables: { TABLE_NAME: "botfleet" } } };
    it("accepts environment variables encrypted with a CMK", async () => {
      expectClean(await analyze(awsLambdaFunctionRequireEnvironmentCmk, { type: "aws:lambda/function:Function", props: fn }));
    });
    it("rejects environment variables without kmsKeyArn", async () => {
      const props = withProp(fn, "kmsKeyArn", undefined);
      expectViolation(
        await analyze(awsLambdaFunctionRequireEnvironmentCmk, { type: "aws:lambda/function:Function", props }),
        "aws-lambda-function-require-environment-cmk",
      );
    });
    it("accepts a function with no environment variables and no key", async () => {
      const props = withProp(withProp(fn, "kmsKeyArn", undefined), "environment", undefined);
      expectClean(await analyze(awsLambdaFunctionRequireEnvironmentCmk, { type: "aws:lambda/function:Function", props }));
    });
  });

  describe("CloudWatch log groups", () => {
    const group = { name: "/aws/lambda/botfleet-dev-telegram", kmsKeyId: KEY_ARN, retentionInDays: 365 };
    const type = "aws:cloudwatch/logGroup:LogGroup";
    it("accepts an encrypted log group with retention", async () => {
      expectClean(await analyze(awsCloudwatchLogGroupRequireCmkEncryption, { type, props: group }));
      expectClean(await analyze(awsCloudwatchLogGroupRequireRetention, { type, props: group }));
    });
    it("rejects a log group without kmsKeyId", async () => {
      const props = withProp(group, "kmsKeyId", undefined);
      expectViolation(await analyze(awsCloudwatchLogGroupRequireCmkEncryption, { type, props }), "aws-cloudwatch-log-group-require-cmk-encryption");
    });
    it("rejects a log group kept forever (retention 0)", async () => {
      const props = withProp(group, "retentionInDays", 0);
      expectViolation(await analyze(awsCloudwatchLogGroupRequireRetention, { type, props }), "aws-cloudwatch-log-group-require-retention");
    });
  });

  describe("SQS, SNS and Secrets Manager", () => {
    const cases = [
      { policy: awsSqsQueueRequireCmkEncryption, type: "aws:sqs/queue:Queue", field: "kmsMasterKeyId", managed: "alias/aws/sqs" },
      { policy: awsSnsTopicRequireCmkEncryption, type: "aws:sns/topic:Topic", field: "kmsMasterKeyId", managed: "alias/aws/sns" },
      { policy: awsSecretsmanagerSecretRequireCmkEncryption, type: "aws:secretsmanager/secret:Secret", field: "kmsKeyId", managed: "alias/aws/secretsmanager" },
    ];
    for (const { policy, type, field, managed } of cases) {
      const baseline = { name: "botfleet-dev-x", [field]: KEY_ARN };
      it(`accepts ${type} with a customer-managed key`, async () => {
        expectClean(await analyze(policy, { type, props: baseline }));
      });
      it(`rejects ${type} without ${field}`, async () => {
        expectViolation(await analyze(policy, { type, props: withProp(baseline, field, undefined) }), policy.name);
      });
      it(`rejects ${type} with the AWS-managed ${managed}`, async () => {
        expectViolation(await analyze(policy, { type, props: withProp(baseline, field, managed) }), policy.name);
      });
    }
  });
});
