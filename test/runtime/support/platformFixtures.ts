import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Payloads copied from the platforms' own documentation: test/fixtures/platforms/<platform>/<name>.json.
 * Each file names its page(s) in `_source` (and how it was taken in `_note`); those fields are
 * stripped here, so a test gets the payload exactly as the page shows it.
 */
export const FIXTURE_ROOT = path.join(__dirname, "..", "..", "fixtures", "platforms");

export type DocPlatform = "meta" | "slack" | "discord" | "telegram";

export function docFixture<T = Record<string, unknown>>(platform: DocPlatform, name: string): T {
  const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_ROOT, platform, `${name}.json`), "utf8")) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith("_"))) as T;
}

/** A form-encoded fixture (Slack slash commands, ssl_check, interactivity): its body as sent. */
export function docForm(name: string): string {
  return docFixture<{ form: string }>("slack", name).form;
}

/** Every fixture of a platform: name → its `_source` pages. */
export function docFixtures(platform: DocPlatform): { name: string; sources: string[] }[] {
  return fs
    .readdirSync(path.join(FIXTURE_ROOT, platform))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_ROOT, platform, file), "utf8")) as { _source?: unknown };
      return { name: path.basename(file, ".json"), sources: Array.isArray(raw._source) ? raw._source.map(String) : [] };
    });
}
