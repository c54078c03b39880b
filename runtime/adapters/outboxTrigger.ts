import type { LambdaClient } from "@aws-sdk/client-lambda";

/** Starts the outbox function now instead of at its next scheduled run. */
export type WakeOutbox = () => Promise<void>;

/**
 * Asynchronous invocation of the outbox function (Invoke with InvocationType "Event": Lambda queues
 * the event and answers 202 at once, https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 * Needs lambda:InvokeFunction on that function (infra/aws/access.ts `invokesOutbox`). The Lambda
 * client is loaded on the first deferral only: the bundler puts it in its own chunk, so no cold
 * start of the webhook reads it.
 */
export function lambdaOutboxTrigger(functionName: string, client: () => Promise<LambdaClient> = defaultClient()): WakeOutbox {
  return async () => {
    const { InvokeCommand } = await import("@aws-sdk/client-lambda");
    await (await client()).send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: new TextEncoder().encode(JSON.stringify({ kind: "outbox" })) }));
  };
}

function defaultClient(): () => Promise<LambdaClient> {
  let pending: Promise<LambdaClient> | undefined;
  return () => (pending ??= import("@aws-sdk/client-lambda").then(({ LambdaClient }) => new LambdaClient({ maxAttempts: 2 })));
}
