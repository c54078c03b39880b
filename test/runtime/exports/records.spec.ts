import { strict as assert } from "node:assert";
import fc from "fast-check";
import { csvCell, csvRow } from "../../../runtime/exports/records";
import { daysBetween, isValidDay, rangeProblem, yesterdayUtc } from "../../../runtime/exports/dateRange";

/** Reads one RFC 4180 cell back (quoted or not). */
function unquote(cell: string): string {
  return cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
}

describe("export formats", () => {
  it("prefixes formula triggers, tab and carriage return with an apostrophe", () => {
    assert.equal(csvCell("=1+1"), "'=1+1");
    assert.equal(csvCell("+49 30 1234"), "'+49 30 1234");
    assert.equal(csvCell("-5"), "'-5");
    assert.equal(csvCell("@cmd"), "'@cmd");
    assert.equal(csvCell("\t=x"), "'\t=x");
    assert.equal(csvCell("\r=x"), `"'\r=x"`);
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell('say "hi", ok'), '"say ""hi"", ok"');
  });

  it("never lets a cell start with a trigger and always reads back to the (prefixed) text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        const cell = csvCell(text);
        const value = unquote(cell);
        assert.ok(!/^[=+\-@\t\r]/.test(value));
        assert.equal(value, /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
        if (/[",\r\n]/.test(value)) assert.ok(cell.startsWith('"') && cell.endsWith('"'));
      }),
    );
  });

  it("writes one CRLF-terminated row per record with the same columns for tickets and messages", () => {
    const ticket = csvRow({ type: "ticket", ticketId: "t1", platform: "slack", userId: "T:U", status: "open", subject: "=evil()", createdAt: "a", updatedAt: "b" });
    const message = csvRow({ type: "message", ticketId: "t1", author: "user", text: "hi, there", sentAt: "c" });
    assert.equal(ticket, "ticket,t1,slack,T:U,open,'=evil(),,,a,b,\r\n");
    assert.equal(message, 'message,t1,,,,,user,"hi, there",,,c\r\n');
  });
});

describe("export date ranges", () => {
  const now = Date.parse("2026-11-22T06:00:00Z");
  it("accepts real calendar days only", () => {
    assert.ok(isValidDay("2024-02-29"));
    assert.ok(!isValidDay("2026-02-29"));
    assert.ok(!isValidDay("2026-1-01"));
    assert.ok(!isValidDay("2026-01-01T00:00:00Z"));
  });
  it("bounds ranges: ordered, not in the future, at most 31 days", () => {
    assert.equal(rangeProblem("2026-11-01", "2026-11-22", now), undefined);
    assert.ok(rangeProblem("2026-11-02", "2026-11-01", now));
    assert.ok(rangeProblem("2026-11-22", "2026-11-23", now));
    assert.ok(rangeProblem("2026-09-01", "2026-11-01", now));
  });
  it("lists the days of a range and yesterday in UTC", () => {
    assert.deepEqual(daysBetween("2026-02-27", "2026-03-01"), ["2026-02-27", "2026-02-28", "2026-03-01"]);
    assert.equal(yesterdayUtc(Date.parse("2026-01-01T00:30:00Z")), "2025-12-31");
  });
});
