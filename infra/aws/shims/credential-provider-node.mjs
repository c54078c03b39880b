// Bundling shim (see infra/aws/bundle.ts BUILTIN_SHIMS). Lambda always hands a function its role's
// credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and
// the SDK's default chain tries the environment first. Its other links (SSO, ini files, credential
// processes, web identity, container/instance metadata) never run in Lambda but would be bundled
// into every function, so the deployed chain is just the environment. Exports mirror
// @aws-sdk/credential-provider-node's.
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init = {}) => fromEnv(init);
export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300000;
