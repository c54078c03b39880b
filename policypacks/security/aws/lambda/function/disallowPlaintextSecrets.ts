import { resourcePolicy } from "../../../lib/define";
import { secretAlong, wireFormOf } from "../../../lib/secretMarks";
import { decide } from "../../../lib/unknowns";
import { decodeJson, field, isRecord } from "../../../lib/values";
import { SECRET_NAME, SECRET_SHAPES } from "./secretShapes";

/** A value that points at a secret store (ARN, parameter path) instead of holding the secret. */
function isPointer(value: string): boolean {
  return value === "" || /^arn:aws[\w-]*:(secretsmanager|ssm|kms):/.test(value) || /^\/?[\w.-]+(\/[\w.-]+)+$/.test(value);
}

/** What is wrong with one named value: a token shape anywhere, or a credential name with a literal; JSON is judged field by field. */
function problemOf(name: string, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const shape = SECRET_SHAPES.find((s) => s.pattern.test(value));
  if (shape) return `holds ${shape.what}`;
  const json = decodeJson(value);
  if (typeof json === "object" && json !== null) {
    const entries = Array.isArray(json) ? json.map((v, i) => [`${name}[${i}]`, v] as const) : Object.entries(json);
    for (const [key, inner] of entries) {
      const problem = problemOf(key, typeof inner === "string" ? inner : typeof inner === "object" && inner !== null ? JSON.stringify(inner) : undefined);
      if (problem) return problem;
    }
    return undefined;
  }
  return SECRET_NAME.test(name) && !isPointer(value) ? "looks like a credential and holds a literal value" : undefined;
}

/**
 * Severity critical. Environment variables are plain text to anyone with
 * lambda:GetFunctionConfiguration and in the console (Checkov CKV_AWS_45): a bot token there is a
 * leaked bot. Caught three ways: a value that Pulumi marks secret (config.requireSecret, a random
 * password), a value shaped like a known token, and a credential-like name with a literal value.
 */
export const awsLambdaFunctionDisallowPlaintextSecrets = resourcePolicy({
  name: "aws-lambda-function-disallow-plaintext-secrets",
  description: "Lambda environment variables must not hold secrets (Pulumi secrets, token-shaped values or credential-named literals).",
  severity: "critical",
  types: ["aws:lambda/function:Function"],
  check: (props) => {
    const variables = field(props, "environment", "variables");
    if (!isRecord(variables)) return [];
    const wire = wireFormOf(props);
    const fix = "move the value to Secrets Manager and pass its ARN (the function reads it at start).";
    return Object.keys(variables).flatMap((name) => {
      // A Pulumi secret is known to be one even while its value is unknown.
      if (wire && secretAlong(wire, ["environment", "variables", name]).secret) return [`${name} holds a Pulumi secret in plain text: ${fix}`];
      return decide(() => {
        const problem = problemOf(name, variables[name]);
        return problem ? [`${name} ${problem}: ${fix}`] : [];
      });
    });
  },
});
