import { z } from "zod";
import { DISCORD_COMMANDS } from "../../runtime/platforms/discord";

/** Discord's REST API version the registration uses. */
export const DISCORD_API = "https://discord.com/api/v10";

export const registrationEnv = z.object({
  DISCORD_APPLICATION_ID: z
    .string({ message: "DISCORD_APPLICATION_ID is not set (the application id from the Discord developer portal)" })
    .regex(/^\d{5,25}$/, "DISCORD_APPLICATION_ID must be the numeric application id"),
  DISCORD_BOT_TOKEN: z
    .string({ message: "DISCORD_BOT_TOKEN is not set (the bot token from the Discord developer portal)" })
    .regex(/^[\w.-]{20,200}$/, "DISCORD_BOT_TOKEN does not look like a bot token"),
});

export interface RegistrationRequest {
  readonly method: "PUT";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Bulk-overwrites the application's global slash commands with botfleet's (the same list the
 * webhook understands): PUT /applications/{id}/commands with the bot token.
 */
export function buildRegistrationRequest(applicationId: string, botToken: string): RegistrationRequest {
  return {
    method: "PUT",
    url: `${DISCORD_API}/applications/${applicationId}/commands`,
    headers: { authorization: `Bot ${botToken}`, "content-type": "application/json", "user-agent": "botfleet (https://github.com/botfleet, 0.1)" },
    body: JSON.stringify(DISCORD_COMMANDS),
  };
}

/** The request as --dry-run prints it: the token replaced. */
export function redacted(request: RegistrationRequest): RegistrationRequest {
  return { ...request, headers: { ...request.headers, authorization: "Bot <DISCORD_BOT_TOKEN>" } };
}
