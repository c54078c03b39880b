/**
 * Credential shapes, from each issuer's documentation of its token format:
 * Slack (api.slack.com/authentication/token-types: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xapp-),
 * Telegram (core.telegram.org/bots/api#authorizing-your-bot: "<bot id>:<35 characters>"),
 * Discord (bot tokens: base64 user id "." timestamp "." HMAC), Meta (Graph API access tokens start
 * "EAA"), AWS access key ids (AKIA/ASIA…, IAM User Guide "Understanding unique ID prefixes"),
 * PEM private keys, GitHub (ghp_, github_pat_), Google API keys (AIza), Stripe live secrets.
 */
export const SECRET_SHAPES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: "a Slack token", pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}|\bxapp-\d-[0-9A-Za-z-]{10,}/ },
  { what: "a Telegram bot token", pattern: /\b\d{6,12}:[A-Za-z0-9_-]{35}\b/ },
  { what: "a Discord bot token", pattern: /\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}\b/ },
  { what: "a Meta access token", pattern: /\bEAA[A-Za-z0-9]{40,}/ },
  { what: "an AWS access key id", pattern: /\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/ },
  { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a GitHub token", pattern: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/ },
  { what: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: "a Stripe secret key", pattern: /\b(sk|rk)_live_[0-9A-Za-z]{16,}/ },
];

/** Names that end in a credential word (…_TOKEN, …_SECRET, …PASSWORD, …API_KEY, private_key): not …_TOKEN_TYPE or …_SECRET_ARNS. */
export const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|SIGNING_?KEY|CREDENTIALS?)$/i;
