import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";
import { type HttpResult } from "../http/event";
import { json } from "../http/respond";
import { type ApiDeps } from "./deps";

/** Pages counted per number before answering "at least": bounds the cost of one stats request. */
const MAX_COUNT_PAGES = 20;

/**
 * GET /api/stats (viewer): tickets open and closed (by-status index) and created today (by-day
 * index), counted with Select COUNT Queries. Beyond MAX_COUNT_PAGES pages a number is a lower
 * bound and `exact` is false.
 */
export async function stats(deps: ApiDeps): Promise<HttpResult> {
  const { byStatus, byDay } = TABLE.indexes;
  const today = new Date(deps.clock()).toISOString().slice(0, 10);
  const [open, closed, createdToday] = await Promise.all([
    count(deps, byStatus.name, byStatus.partitionKey, "TICKETS#open"),
    count(deps, byStatus.name, byStatus.partitionKey, "TICKETS#closed"),
    count(deps, byDay.name, byDay.partitionKey, `DAY#${today}`),
  ]);
  return json(200, {
    tickets: { open: open.count, closed: closed.count },
    createdToday: createdToday.count,
    exact: open.exact && closed.exact && createdToday.exact,
  });
}

async function count(deps: ApiDeps, index: string, attribute: string, value: string): Promise<{ count: number; exact: boolean }> {
  let total = 0;
  let startKey: QueryCommandInput["ExclusiveStartKey"];
  for (let page = 0; page < MAX_COUNT_PAGES; page += 1) {
    const out = await deps.documents.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: index,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": attribute },
        ExpressionAttributeValues: { ":pk": value },
        Select: "COUNT",
        ExclusiveStartKey: startKey,
      }),
    );
    total += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
    if (startKey === undefined) return { count: total, exact: true };
  }
  return { count: total, exact: false };
}
