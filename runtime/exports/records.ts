/**
 * One exported record: a ticket, or one message of a ticket. Times are ISO 8601 UTC strings.
 * The NDJSON and CSV files carry the same records in the same order (each ticket, then its messages).
 */
export type ExportRecord =
  | {
      readonly type: "ticket";
      readonly ticketId: string;
      readonly platform: string;
      readonly userId: string;
      readonly status: string;
      readonly subject: string;
      readonly createdAt: string;
      readonly updatedAt: string;
    }
  | {
      readonly type: "message";
      readonly ticketId: string;
      readonly author: string;
      readonly text: string;
      readonly sentAt: string;
    };

export const CSV_COLUMNS = ["type", "ticket_id", "platform", "user_id", "status", "subject", "author", "text", "created_at", "updated_at", "sent_at"] as const;

export function ndjsonLine(record: ExportRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export function csvRow(record: ExportRecord): string {
  const cells: readonly string[] =
    record.type === "ticket"
      ? ["ticket", record.ticketId, record.platform, record.userId, record.status, record.subject, "", "", record.createdAt, record.updatedAt, ""]
      : ["message", record.ticketId, "", "", "", "", record.author, record.text, "", "", record.sentAt];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export const CSV_HEADER = `${CSV_COLUMNS.join(",")}\r\n`;

/**
 * One CSV cell (RFC 4180 quoting) that a spreadsheet will not execute: text starting with
 * = + - @ (formula triggers), or tab / carriage return (which some spreadsheets strip before
 * looking for one), gets a leading apostrophe (OWASP "CSV injection").
 */
export function csvCell(value: string): string {
  const neutralised = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutralised) ? `"${neutralised.replace(/"/g, '""')}"` : neutralised;
}
