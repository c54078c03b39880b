/**
 * Source addresses of Telegram's webhook requests, as Telegram publishes them in "Marvin's
 * Marvellous Guide to All Things Webhook" (section on allowed subnets):
 *   https://core.telegram.org/bots/webhooks
 *
 * Checked: 2026-11-22, against an archived copy of that page (the build environment has no direct
 * internet access); re-check the live page before a production deploy and whenever Telegram
 * webhooks start failing with 403 at the edge. To refresh: edit this list, run `npm test` (the edge
 * rule tests read it), then `pulumi up`.
 */
export const TELEGRAM_WEBHOOK_SOURCE = "https://core.telegram.org/bots/webhooks";
export const TELEGRAM_RANGES_CHECKED = "2026-11-22";

export const TELEGRAM_WEBHOOK_RANGES: readonly string[] = Object.freeze(["149.154.160.0/20", "91.108.4.0/22"]);
