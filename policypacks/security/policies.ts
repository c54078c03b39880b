import type { Policies } from "@pulumi/policy";
import { awsApigatewayApiRequireExecuteApiDisabled } from "./aws/apigateway/api/requireExecuteApiDisabled";
import { awsApigatewayDomainNameRequireTls12 } from "./aws/apigateway/domainName/requireTls12";
import { awsApigatewayv2StageRequireAccessLogs } from "./aws/apigatewayv2/stage/requireAccessLogs";
import { awsApigatewayv2StageRequireThrottling } from "./aws/apigatewayv2/stage/requireThrottling";
import { awsCloudwatchLogGroupRequireCmkEncryption } from "./aws/cloudwatch/logGroup/requireCmkEncryption";
import { awsCloudwatchLogGroupRequireRetention } from "./aws/cloudwatch/logGroup/requireRetention";
import { awsDynamodbTableRequireCmkEncryption } from "./aws/dynamodb/table/requireCmkEncryption";
import { awsDynamodbTableRequireDeletionProtection } from "./aws/dynamodb/table/requireDeletionProtection";
import { awsDynamodbTableRequirePointInTimeRecovery } from "./aws/dynamodb/table/requirePointInTimeRecovery";
import { awsIamAttachmentDisallowAdminManagedPolicies } from "./aws/iam/attachment/disallowAdminManagedPolicies";
import { awsIamPolicyDisallowNotActionNotResource } from "./aws/iam/document/disallowNotActionNotResource";
import { awsIamPolicyDisallowPassRoleWildcard } from "./aws/iam/document/disallowPassRoleWildcard";
import { awsIamPolicyDisallowPrivilegeEscalation } from "./aws/iam/document/disallowPrivilegeEscalation";
import { awsIamPolicyDisallowWildcardActions } from "./aws/iam/document/disallowWildcardActions";
import { awsIamPolicyDisallowWildcardResources } from "./aws/iam/document/disallowWildcardResources";
import { awsIamRoleDisallowAccountTrust } from "./aws/iam/role/disallowAccountTrust";
import { awsIamRoleDisallowWildcardTrust } from "./aws/iam/role/disallowWildcardTrust";
import { awsIamRoleRequireScopedLambdaTrust } from "./aws/iam/role/requireScopedLambdaTrust";
import { awsIamUserDisallowCreation } from "./aws/iam/user/disallowUsers";
import { awsKmsKeyDisallowBypassPolicyLockoutSafetyCheck } from "./aws/kms/key/disallowBypassPolicyLockoutSafetyCheck";
import { awsKmsKeyRequireRotation } from "./aws/kms/key/requireRotation";
import { awsLambdaFunctionDisallowPlaintextSecrets } from "./aws/lambda/function/disallowPlaintextSecrets";
import { awsLambdaFunctionRequireEnvironmentCmk } from "./aws/lambda/function/requireEnvironmentCmk";
import { awsLambdaFunctionUrlDisallowPublicAuth } from "./aws/lambda/functionUrl/disallowPublicAuth";
import { awsLambdaPermissionRequireSourceArn } from "./aws/lambda/permission/requireSourceArn";
import { awsProviderRequireAllowedAccount } from "./aws/provider/requireAllowedAccount";
import { awsResourcePolicyDisallowCrossAccountAccess } from "./aws/resourcePolicy/disallowCrossAccountAccess";
import { awsResourcePolicyDisallowPublicAccess } from "./aws/resourcePolicy/disallowPublicAccess";
import { awsS3BucketDisallowPublicAcl } from "./aws/s3/bucket/disallowPublicAcl";
import { awsS3BucketRequirePublicAccessBlock } from "./aws/s3/bucket/requirePublicAccessBlock";
import { awsS3BucketRequireSecureTransportPolicy } from "./aws/s3/bucket/requireSecureTransportPolicy";
import { awsS3BucketRequireSseKms } from "./aws/s3/bucket/requireSseKms";
import { awsSecretsmanagerSecretRequireCmkEncryption } from "./aws/secretsmanager/secret/requireCmkEncryption";
import { awsSnsTopicRequireCmkEncryption } from "./aws/sns/topic/requireCmkEncryption";
import { awsSqsQueueRequireCmkEncryption } from "./aws/sqs/queue/requireCmkEncryption";
import { cloudflareDnsRecordRequireProxiedOrigin } from "./cloudflare/dnsRecord/requireProxiedOrigin";
import { cloudflareEdgeDisallowTlsDowngrade } from "./cloudflare/edge/disallowTlsDowngrade";
import { cloudflareResourceRequireStackZone } from "./cloudflare/resource/requireStackZone";
import { cloudflareZoneRequireTlsSettings } from "./cloudflare/zone/requireTlsSettings";
import { cloudflareZoneSettingRequireAlwaysHttps } from "./cloudflare/zoneSetting/requireAlwaysHttps";
import { cloudflareZoneSettingRequireMinTls12 } from "./cloudflare/zoneSetting/requireMinTls12";
import { cloudflareZoneSettingRequireSslStrict } from "./cloudflare/zoneSetting/requireSslStrict";
import { gcpIamCustomRoleDisallowPrivilegedPermissions } from "./gcp/iam/customRole/disallowPrivilegedPermissions";
import { gcpIamDisallowDefaultServiceAccounts } from "./gcp/iam/disallowDefaultServiceAccounts";
import { gcpIamDisallowPrimitiveRoles } from "./gcp/iam/disallowPrimitiveRoles";
import { gcpIamDisallowPrivilegedRoles } from "./gcp/iam/disallowPrivilegedRoles";
import { gcpIamDisallowProjectStorageRolesForServiceAccounts } from "./gcp/iam/disallowProjectStorageRolesForServiceAccounts";
import { gcpIamDisallowPublicMembers } from "./gcp/iam/disallowPublicMembers";
import { gcpIamWorkloadIdentityProviderRequireAttributeCondition } from "./gcp/iam/workloadIdentityPoolProvider/requireAttributeCondition";
import { gcpKmsCryptoKeyRequireRotation } from "./gcp/kms/cryptoKey/requireRotation";
import { gcpProviderRequireConfiguredProject } from "./gcp/provider/requireConfiguredProject";
import { gcpServiceaccountKeyDisallowCreation } from "./gcp/serviceaccount/key/disallowKeys";
import { gcpStorageBucketRequireCmek } from "./gcp/storage/bucket/requireCmek";
import { gcpStorageBucketRequirePublicAccessPrevention } from "./gcp/storage/bucket/requirePublicAccessPrevention";
import { gcpStorageBucketRequireUniformAccess } from "./gcp/storage/bucket/requireUniformAccess";
import { gcpStorageBucketRequireVersioning } from "./gcp/storage/bucket/requireVersioning";
import { stackDisallowDefaultProviders } from "./stack/disallowDefaultProviders";
import { stackRequireProdAccountsDifferFromDev } from "./stack/requireProdAccountsDifferFromDev";

/** Name of the pack as the engine and the gate report it. */
export const PACK_NAME = "botfleet-security";

/** Every policy of the pack, grouped by concern. Importing this starts nothing (index.ts serves it). */
export const policies: Policies = [
  // Encryption
  awsDynamodbTableRequireCmkEncryption,
  awsKmsKeyRequireRotation,
  awsKmsKeyDisallowBypassPolicyLockoutSafetyCheck,
  awsLambdaFunctionRequireEnvironmentCmk,
  awsCloudwatchLogGroupRequireCmkEncryption,
  awsSqsQueueRequireCmkEncryption,
  awsSnsTopicRequireCmkEncryption,
  awsSecretsmanagerSecretRequireCmkEncryption,
  awsS3BucketRequireSseKms,
  awsS3BucketRequireSecureTransportPolicy,
  gcpStorageBucketRequireCmek,
  gcpKmsCryptoKeyRequireRotation,
  // Least-privilege IAM
  awsIamPolicyDisallowWildcardActions,
  awsIamPolicyDisallowNotActionNotResource,
  awsIamPolicyDisallowWildcardResources,
  awsIamPolicyDisallowPassRoleWildcard,
  awsIamPolicyDisallowPrivilegeEscalation,
  awsIamAttachmentDisallowAdminManagedPolicies,
  awsIamRoleRequireScopedLambdaTrust,
  awsIamRoleDisallowWildcardTrust,
  awsIamRoleDisallowAccountTrust,
  awsIamUserDisallowCreation,
  awsResourcePolicyDisallowPublicAccess,
  awsResourcePolicyDisallowCrossAccountAccess,
  awsLambdaPermissionRequireSourceArn,
  gcpIamDisallowPrimitiveRoles,
  gcpIamDisallowPrivilegedRoles,
  gcpIamCustomRoleDisallowPrivilegedPermissions,
  gcpIamDisallowDefaultServiceAccounts,
  gcpIamDisallowPublicMembers,
  gcpServiceaccountKeyDisallowCreation,
  gcpIamWorkloadIdentityProviderRequireAttributeCondition,
  gcpIamDisallowProjectStorageRolesForServiceAccounts,
  // Secrets
  awsLambdaFunctionDisallowPlaintextSecrets,
  // TLS and exposure
  cloudflareZoneSettingRequireMinTls12,
  cloudflareZoneSettingRequireSslStrict,
  cloudflareZoneSettingRequireAlwaysHttps,
  cloudflareZoneRequireTlsSettings,
  cloudflareEdgeDisallowTlsDowngrade,
  cloudflareDnsRecordRequireProxiedOrigin,
  awsApigatewayDomainNameRequireTls12,
  awsApigatewayApiRequireExecuteApiDisabled,
  awsApigatewayv2StageRequireAccessLogs,
  awsApigatewayv2StageRequireThrottling,
  awsLambdaFunctionUrlDisallowPublicAuth,
  awsS3BucketDisallowPublicAcl,
  awsS3BucketRequirePublicAccessBlock,
  gcpStorageBucketRequirePublicAccessPrevention,
  gcpStorageBucketRequireUniformAccess,
  // Data protection
  awsDynamodbTableRequirePointInTimeRecovery,
  awsDynamodbTableRequireDeletionProtection,
  awsCloudwatchLogGroupRequireRetention,
  gcpStorageBucketRequireVersioning,
  // Stack accounts (resource policies on providers and every resource's provider: they stop `up` before the first change)
  awsProviderRequireAllowedAccount,
  gcpProviderRequireConfiguredProject,
  cloudflareResourceRequireStackZone,
  stackDisallowDefaultProviders,
  stackRequireProdAccountsDifferFromDev,
];
