import { strict as assert } from "node:assert";
import { cachedSecretSource, envSecretSource, parseSecret } from "../../runtime/adapters/secrets";
import { ConfigError } from "../../runtime/errors";
import { parseEntrySettings, parseSettings } from "../../runtime/settings";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:botfleet-telegram-AbCdEf";

describe("runtime settings", () => {
  it("parses the environment with defaults equal to Pulumi.yaml's", () => {
    const s = parseSettings({ BOTFLEET_MODE: "deployed", BOTFLEET_TABLE: "botfleet-dev", BOTFLEET_SECRET_ARNS: JSON.stringify({ telegram: ARN }) });
    assert.deepEqual(s.secretArns, { telegram: ARN });
    assert.deepEqual(s.rateLimit, { capacity: 10, refillPerMinute: 6 });
    assert.equal(s.ticketOpensPerHour, 5);
    assert.equal(s.conversationTtlMinutes, 30);
    assert.equal(s.dedupeTtlHours, 48);
    assert.ok(Object.isFrozen(s));
  });

  it("names every bad or missing variable", () => {
    assert.throws(
      () => parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_RATE_CAPACITY: "ten", BOTFLEET_DEDUPE_TTL_HOURS: "0" }),
      (e: unknown) => e instanceof ConfigError && /BOTFLEET_TABLE/.test(e.message) && /BOTFLEET_RATE_CAPACITY/.test(e.message) && /BOTFLEET_DEDUPE_TTL_HOURS/.test(e.message),
    );
    // Whole numbers: digits only, then the range, each with its own message.
    assert.throws(() => parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: "bot-table", BOTFLEET_DEDUPE_TTL_HOURS: "0" }), /BOTFLEET_DEDUPE_TTL_HOURS: must be at least 1/);
    assert.throws(() => parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: "bot-table", BOTFLEET_DEDUPE_TTL_HOURS: "721" }), /BOTFLEET_DEDUPE_TTL_HOURS: must be at most 720/);
    assert.throws(() => parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: "bot-table", BOTFLEET_RATE_CAPACITY: "1e3" }), /BOTFLEET_RATE_CAPACITY: must be a whole number from 1 to 1000/);
    assert.equal(parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: "bot-table", BOTFLEET_DEDUPE_TTL_HOURS: "720" }).dedupeTtlHours, 720);
    assert.throws(() => parseEntrySettings({}), /BOTFLEET_MODE/);
    assert.throws(() => parseEntrySettings({ BOTFLEET_MODE: "deployed" }), /BOTFLEET_SECRET_ARNS: required in deployed mode/);
    assert.throws(() => parseEntrySettings({ BOTFLEET_MODE: "deployed", BOTFLEET_SECRET_ARNS: "{" }), /BOTFLEET_SECRET_ARNS/);
    assert.throws(() => parseEntrySettings({ BOTFLEET_MODE: "deployed", BOTFLEET_SECRET_ARNS: '{"telegram":"not-an-arn"}' }), /Secrets Manager ARN/);
  });
});

describe("secret sources", () => {
  it("validates each secret's JSON shape and never echoes a value in the error", () => {
    assert.deepEqual(parseSecret("slack", '{"signingSecret":"s","botToken":"xoxb-1"}'), { signingSecret: "s", botToken: "xoxb-1" });
    assert.throws(() => parseSecret("discord", '{"publicKey":"hunter2","applicationId":"1","botToken":"t"}'), (e: unknown) => e instanceof ConfigError && /publicKey/.test(e.message) && !/hunter2/.test(e.message));
    assert.throws(() => parseSecret("origin", "not json"), /not JSON/);
    assert.throws(() => parseSecret("meta", '{"appSecret":"a"}'), /verifyToken/);
  });

  it("deployed: fetches each secret once per cold start and caches it; a failed fetch is retried", async () => {
    let fetches = 0;
    const source = cachedSecretSource({ telegram: ARN }, async (arn) => {
      fetches++;
      assert.equal(arn, ARN);
      if (fetches === 1) throw new Error("network");
      return JSON.stringify({ webhookSecret: "abc", botToken: "123:xyz" });
    });
    await assert.rejects(source.get("telegram"));
    const [a, b] = await Promise.all([source.get("telegram"), source.get("telegram")]);
    assert.deepEqual(a, { webhookSecret: "abc", botToken: "123:xyz" });
    assert.equal(a, b);
    await source.get("telegram");
    assert.equal(fetches, 2);
    assert.equal(source.has("telegram"), true);
    assert.equal(source.has("origin"), false);
    await assert.rejects(source.get("origin"), /no ARN/);
  });

  it("deployed: a secret without a value yet is a configuration error naming it", async () => {
    await assert.rejects(cachedSecretSource({ meta: ARN }, async () => undefined).get("meta"), /secret "meta" has no value yet/);
  });

  it("local: reads the environment names of LOCAL_SECRET_ENV, naming what is missing", async () => {
    const source = envSecretSource({ META_APP_SECRET: "app", META_VERIFY_TOKEN: "verify" });
    assert.deepEqual(await source.get("meta"), { appSecret: "app", verifyToken: "verify", accessToken: "local" });
    assert.equal(source.has("origin"), false);
    await assert.rejects(source.get("slack"), /signingSecret/);
  });

  it("local: checks a secret again only when its environment values changed", async () => {
    const env: Record<string, string | undefined> = { TELEGRAM_WEBHOOK_SECRET: "first_secret" };
    const source = envSecretSource(env);
    const first = await source.get("telegram");
    assert.equal(await source.get("telegram"), first, "unchanged values: the value already checked");
    env.TELEGRAM_WEBHOOK_SECRET = "second_secret";
    assert.deepEqual(await source.get("telegram"), { webhookSecret: "second_secret", botToken: "local" });
    env.TELEGRAM_WEBHOOK_SECRET = "not allowed!";
    await assert.rejects(source.get("telegram"), /webhookSecret/);
    await assert.rejects(source.get("telegram"), /webhookSecret/);
    env.TELEGRAM_BOT_TOKEN = "123:abc";
    env.TELEGRAM_WEBHOOK_SECRET = "first_secret";
    assert.deepEqual(await source.get("telegram"), { webhookSecret: "first_secret", botToken: "123:abc" });
  });
});
