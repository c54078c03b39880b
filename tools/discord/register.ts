/**
 * `npm run discord:register [-- --dry-run]`: registers botfleet's slash commands with Discord.
 * Reads DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN from the environment.
 * Exit codes: 0 registered (or dry run printed), 1 Discord refused or was unreachable, 2 bad usage or environment.
 */
import { buildRegistrationRequest, DISCORD_API, redacted, registrationEnv } from "./registration";

const USAGE = "usage: npm run discord:register [-- --dry-run]";
const HELP = `${USAGE}

Registers botfleet's slash commands with Discord (PUT ${DISCORD_API}/applications/<id>/commands).
Reads DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN from the environment.
  --dry-run    print the request (token redacted) instead of sending it
  -h, --help   this text
Exit codes: 0 registered (or dry run printed), 1 Discord refused or was unreachable, 2 bad usage or environment.`;

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--dry-run");
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown.join(" ")}; ${USAGE}\n`);
    return 2;
  }
  const parsed = registrationEnv.safeParse(env);
  if (!parsed.success) {
    // One line naming every bad or missing variable.
    process.stderr.write(`${parsed.error.issues.map((issue) => issue.message).join("; ")}\n`);
    return 2;
  }
  const request = buildRegistrationRequest(parsed.data.DISCORD_APPLICATION_ID, parsed.data.DISCORD_BOT_TOKEN);
  if (argv.includes("--dry-run")) {
    const shown = redacted(request);
    process.stdout.write(`${JSON.stringify({ ...shown, body: JSON.parse(shown.body) as unknown }, null, 2)}\n`);
    return 0;
  }
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.message : String(error));
    process.stderr.write(`discord:register: nothing answered at ${DISCORD_API} (${cause}): check the network\n`);
    return 1;
  }
  if (!response.ok) {
    process.stderr.write(`Discord answered ${response.status}: ${(await response.text()).slice(0, 500)}\n`);
    return 1;
  }
  const registered = (await response.json()) as { name: string }[];
  process.stdout.write(`registered ${registered.map((c) => `/${c.name}`).join(" ")}\n`);
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`discord:register failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
