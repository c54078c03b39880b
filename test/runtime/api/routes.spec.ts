import { strict as assert } from "node:assert";
import { API_ROUTES } from "../../../runtime/api/dispatch";
import { ROUTES } from "../../../runtime/routes";

describe("agents' API route table", () => {
  it("implements exactly the /api routes of runtime/routes.ts, each with a role", () => {
    const declared = ROUTES.filter((route) => route.handler === "api").map((route) => `${route.method} ${route.path}`).sort();
    assert.deepEqual(Object.keys(API_ROUTES).sort(), declared);
    assert.equal(API_ROUTES["GET /api/exports/{id}/download"]?.role, "admin");
    assert.equal(API_ROUTES["POST /api/tickets/{id}/messages"]?.role, "agent");
    assert.equal(API_ROUTES["GET /api/stats"]?.role, "viewer");
  });
});
