/**
 * Stand-in for Secrets Manager's GetSecretValue (AWS JSON 1.1, X-Amz-Target
 * secretsmanager.GetSecretValue), answering with the documented fields
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html) for the
 * secrets it holds by ARN, and ResourceNotFoundException for any other. Anything else is refused.
 */
import { type StandIn, startStandIn } from "./standInServer";

export async function startSecretsManagerStandIn(values: ReadonlyMap<string, string>): Promise<StandIn> {
  return startStandIn((request) => {
    const json = { "content-type": "application/x-amz-json-1.1" };
    if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      return { status: 400, headers: json, body: { __type: "InvalidRequestException", message: "stand-in knows GetSecretValue only" } };
    }
    const { SecretId } = JSON.parse(request.body || "{}") as { SecretId?: string };
    const value = SecretId === undefined ? undefined : values.get(SecretId);
    if (SecretId === undefined || value === undefined) {
      return { status: 400, headers: json, body: { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." } };
    }
    const name = /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(SecretId)?.[1] ?? SecretId;
    return {
      status: 200,
      headers: json,
      body: { ARN: SecretId, Name: name, VersionId: "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1", SecretString: value, VersionStages: ["AWSCURRENT"], CreatedDate: 1_700_000_000 },
    };
  });
}
