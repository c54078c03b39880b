import { awsDynamodbTableRequireCmkEncryption } from "../../../policypacks/security/aws/dynamodb/table/requireCmkEncryption";
import { awsDynamodbTableRequireDeletionProtection } from "../../../policypacks/security/aws/dynamodb/table/requireDeletionProtection";
import { awsDynamodbTableRequirePointInTimeRecovery } from "../../../policypacks/security/aws/dynamodb/table/requirePointInTimeRecovery";
import { analyze, expectClean, expectViolation, withProp } from "../harness";

const TYPE = "aws:dynamodb/table:Table";
const KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/0d5c6d0e-1111-4a4a-9b9b-0123456789ab";
const compliant = {
  billingMode: "PAY_PER_REQUEST",
  hashKey: "pk",
  serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
  pointInTimeRecovery: { enabled: true },
  deletionProtectionEnabled: true,
};
const policies = [awsDynamodbTableRequireCmkEncryption, awsDynamodbTableRequirePointInTimeRecovery, awsDynamodbTableRequireDeletionProtection];

describe("policy pack: DynamoDB tables", () => {
  it("accepts the compliant baseline under every table policy", async () => {
    for (const policy of policies) expectClean(await analyze(policy, { type: TYPE, props: compliant }));
  });

  it("rejects a table encrypted with the AWS-owned key (no kmsKeyArn)", async () => {
    const props = withProp(compliant, "serverSideEncryption.kmsKeyArn", undefined);
    expectViolation(await analyze(awsDynamodbTableRequireCmkEncryption, { type: TYPE, props }), "aws-dynamodb-table-require-cmk-encryption");
  });

  it("rejects a table whose key is the AWS-managed alias/aws/dynamodb", async () => {
    const props = withProp(compliant, "serverSideEncryption.kmsKeyArn", "arn:aws:kms:eu-west-1:111111111111:alias/aws/dynamodb");
    expectViolation(await analyze(awsDynamodbTableRequireCmkEncryption, { type: TYPE, props }), "aws-dynamodb-table-require-cmk-encryption");
  });

  it("rejects a table without point-in-time recovery", async () => {
    const props = withProp(compliant, "pointInTimeRecovery.enabled", false);
    expectViolation(await analyze(awsDynamodbTableRequirePointInTimeRecovery, { type: TYPE, props }), "aws-dynamodb-table-require-point-in-time-recovery");
  });

  it("rejects a prod table without deletion protection", async () => {
    const props = withProp(compliant, "deletionProtectionEnabled", false);
    const found = await analyze(awsDynamodbTableRequireDeletionProtection, { type: TYPE, props }, { productionGrade: true });
    expectViolation(found, "aws-dynamodb-table-require-deletion-protection");
  });

  it("treats an unconfigured stack as prod (deletion protection required)", async () => {
    const props = withProp(compliant, "deletionProtectionEnabled", undefined);
    expectViolation(await analyze(awsDynamodbTableRequireDeletionProtection, { type: TYPE, props }), "aws-dynamodb-table-require-deletion-protection");
  });

  it("lets a dev table go without deletion protection", async () => {
    const props = withProp(compliant, "deletionProtectionEnabled", false);
    expectClean(await analyze(awsDynamodbTableRequireDeletionProtection, { type: TYPE, props }, { productionGrade: false }));
  });

  it("ignores resources of other types", async () => {
    expectClean(await analyze(awsDynamodbTableRequireCmkEncryption, { type: "aws:sqs/queue:Queue", props: {} }));
  });
});
