/** What a user's text asks for. Pure parsing, shared by every platform. */
export type Command =
  | { readonly kind: "start" }
  | { readonly kind: "help" }
  | { readonly kind: "ticket"; readonly subject?: string }
  | { readonly kind: "tickets" }
  | { readonly kind: "status"; readonly ticketId?: string }
  | { readonly kind: "close"; readonly ticketId?: string }
  | { readonly kind: "unknown"; readonly name: string }
  | { readonly kind: "text"; readonly text: string };

export const MAX_SUBJECT_CHARS = 200;
export const MAX_MESSAGE_CHARS = 4000;

const COMMAND = /^\/([a-z_]{1,32})(?:@[\w]{1,64})?(?:\s+([\s\S]*))?$/i;

/**
 * `/name[@bot] args` → a command; anything else is plain text. Telegram appends `@botname` in
 * groups; ids are matched case-insensitively because users retype them.
 */
export function parseCommand(input: string): Command {
  const text = input.trim();
  const match = COMMAND.exec(text);
  if (!match) return { kind: "text", text };
  const name = (match[1] ?? "").toLowerCase();
  const args = (match[2] ?? "").trim();
  switch (name) {
    case "start":
      return { kind: "start" };
    case "help":
      return { kind: "help" };
    case "ticket":
      return args === "" ? { kind: "ticket" } : { kind: "ticket", subject: args };
    case "tickets":
      return { kind: "tickets" };
    case "status":
    case "close": {
      const id = firstWord(args);
      return id === undefined ? { kind: name } : { kind: name, ticketId: id.toLowerCase() };
    }
    default:
      return { kind: "unknown", name };
  }
}

function firstWord(args: string): string | undefined {
  const word = args.split(/\s+/)[0];
  return word === undefined || word === "" ? undefined : word;
}

/** Cuts text to `max` characters without splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  // At most `max` UTF-16 units is at most `max` characters: nothing to cut (most texts).
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join("");
}
