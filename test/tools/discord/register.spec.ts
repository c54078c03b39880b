import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { DISCORD_COMMANDS } from "../../../runtime/platforms/discord";
import { buildRegistrationRequest, redacted } from "../../../tools/discord/registration";

const ROOT = path.join(__dirname, "..", "..", "..");
const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-token-for-tests_0123456789";

function run(args: string[], env: Record<string, string>) {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env };
  return spawnSync(process.execPath, ["--import", "tsx", "tools/discord/register.ts", ...args], { cwd: ROOT, env: clean, encoding: "utf8", timeout: 30_000 });
}

describe("npm run discord:register", () => {
  it("builds a PUT of every slash command to the application's commands, with the bot token", () => {
    const request = buildRegistrationRequest("1200000000000000000", TOKEN);
    assert.equal(request.method, "PUT");
    assert.equal(request.url, "https://discord.com/api/v10/applications/1200000000000000000/commands");
    assert.equal(request.headers.authorization, `Bot ${TOKEN}`);
    const body = JSON.parse(request.body) as { name: string; type: number }[];
    assert.deepEqual(body.map((c) => c.name), ["help", "start", "ticket", "tickets", "status", "close"]);
    assert.deepEqual(body, JSON.parse(JSON.stringify(DISCORD_COMMANDS)));
    assert.ok(!JSON.stringify(redacted(request)).includes(TOKEN));
  });

  it("exits 2 naming the variable when the environment is missing or bad", () => {
    const missing = run([], {});
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /DISCORD_APPLICATION_ID is not set/);
    assert.match(missing.stderr, /DISCORD_BOT_TOKEN is not set/);
    const bad = run([], { DISCORD_APPLICATION_ID: "my-app", DISCORD_BOT_TOKEN: TOKEN });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /DISCORD_APPLICATION_ID must be the numeric application id/);
    assert.equal(run(["--frobnicate"], { DISCORD_APPLICATION_ID: "1200000000000000000", DISCORD_BOT_TOKEN: TOKEN }).status, 2);
  });

  it("--dry-run prints the request without the token and exits 0", () => {
    const dry = run(["--dry-run"], { DISCORD_APPLICATION_ID: "1200000000000000000", DISCORD_BOT_TOKEN: TOKEN });
    assert.equal(dry.status, 0, dry.stderr);
    assert.ok(!dry.stdout.includes(TOKEN));
    const printed = JSON.parse(dry.stdout) as { method: string; url: string; headers: Record<string, string>; body: unknown[] };
    assert.equal(printed.method, "PUT");
    assert.equal(printed.headers.authorization, "Bot <DISCORD_BOT_TOKEN>");
    assert.equal(printed.body.length, DISCORD_COMMANDS.length);
  });
});
