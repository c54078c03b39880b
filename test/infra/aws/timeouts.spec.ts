import { strict as assert } from "node:assert";
import { existingHandlers } from "../../../infra/aws/handlers";
import { FUNCTION_BUDGETS, timeoutProblem } from "../../../runtime/http/functionBudgets";
import { ROUTES } from "../../../runtime/routes";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { one, STACKS, stackRun } from "./resources";

const servesRoutes = (handler: string) => ROUTES.some((route) => route.handler === handler);

describe("function timeouts against the runtime's budgets", () => {
  it("flags a timeout below a budget, a lease that could run out under a live invocation, and a route function past API Gateway's 30 s", () => {
    assert.match(timeoutProblem("api", 5_000, true) ?? "", /below its 6000 ms budget/);
    assert.match(timeoutProblem("outbox", 5_000, false) ?? "", /below/);
    assert.match(timeoutProblem("discord", 3_000, true) ?? "", /below/);
    assert.match(timeoutProblem("export", 900_000, false) ?? "", /lease could run out/);
    assert.match(timeoutProblem("telegram", 31_000, true) ?? "", /API Gateway/);
    assert.equal(timeoutProblem("api", 10_000, true), undefined);
  });

  for (const stack of STACKS) {
    describe(`${stack} stack`, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });
      for (const handler of existingHandlers()) {
        it(`${handler}: its timeout exceeds the longest fixed budget it can spend (${FUNCTION_BUDGETS[handler].longestMs} ms) plus a margin`, () => {
          const timeoutMs = Number(one(run, "aws:lambda/function:Function", `backend-${handler}-function`).inputs.timeout) * 1000;
          assert.equal(timeoutProblem(handler, timeoutMs, servesRoutes(handler)), undefined);
        });
      }
    });
  }
});
