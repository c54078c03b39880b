import { createLogger, type Logger } from "../adapters/logger";
import { cachedSecretSource, envSecretSource, type SecretSource, secretsManagerFetcher } from "../adapters/secrets";
import { type EntrySettings, parseEntrySettings } from "../settings";
import type { EntryDeps } from "./entry";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What every HTTP entry point needs (settings, logger, secrets) from the environment — and nothing
 * that loads the store's client: /health imports this module alone, so its bundle holds no
 * DynamoDB client (importing runtime/app/deps would pull one in, as lib-dynamodb's client class
 * cannot be tree-shaken).
 */
export function entryDepsFromEnv(env: Env = process.env, logger: Logger = createLogger()): EntryDeps {
  const settings: EntrySettings = parseEntrySettings(env);
  return { settings, logger, secrets: secretSourceFor(settings, env) };
}

/** Deployed: Secrets Manager, cached per cold start. Local: the environment. */
export function secretSourceFor(settings: EntrySettings, env: Env): SecretSource {
  return settings.mode === "deployed" ? cachedSecretSource(settings.secretArns, secretsManagerFetcher()) : envSecretSource(env);
}

/**
 * Builds dependencies once per cold start, on the first request (never at import). A failure is
 * not cached: the next request tries again, and meanwhile each request answers 500 with a reference.
 */
export function oncePerColdStart<T>(build: () => T | Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}
