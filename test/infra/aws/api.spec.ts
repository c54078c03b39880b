import { strict as assert } from "node:assert";
import { routeSlug, routeSourceArn } from "../../../infra/aws/api";
import { existingHandlers } from "../../../infra/aws/handlers";
import { ROUTES } from "../../../runtime/routes";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, arnPrefix, one, ofType } from "./resources";

for (const stack of STACKS) {
  describe(`aws http api: ${stack} stack`, () => {
    let run: ProgramRun;
    let executionArn: string;
    const deployedRoutes = () => ROUTES.filter((r) => existingHandlers().includes(r.handler));
    before(async () => {
      run = await stackRun(stack);
      executionArn = `${arnPrefix(run, "execute-api")}:backend-http-api-id`;
    });

    it("is an HTTP API whose default execute-api endpoint is disabled", () => {
      const api = one(run, "aws:apigatewayv2/api:Api", "backend-http-api").inputs;
      assert.equal(api.protocolType, "HTTP");
      assert.equal(api.disableExecuteApiEndpoint, true);
    });

    it("has a route for every route-table entry whose handler exists, and no other", () => {
      const keys = ofType(run, "aws:apigatewayv2/route:Route").map((r) => String(r.inputs.routeKey));
      assert.deepEqual(keys.sort(), deployedRoutes().map((r) => `${r.method} ${r.path}`).sort());
    });

    it("sends each route to its own handler's function with payload format 2.0", () => {
      for (const route of deployedRoutes()) {
        const target = one(run, "aws:apigatewayv2/route:Route", `backend-http-${routeSlug(route)}`).inputs.target;
        assert.equal(target, `integrations/backend-http-${route.handler}-id`);
        const integration = one(run, "aws:apigatewayv2/integration:Integration", `backend-http-${route.handler}`).inputs;
        assert.equal(integration.integrationType, "AWS_PROXY");
        assert.equal(integration.payloadFormatVersion, "2.0");
        assert.match(String(integration.integrationUri), new RegExp(`:function:${run.settings.prefix}-${route.handler}/invocations$`));
      }
    });

    it("integrates only functions that have a route (the scheduled export and outbox have none)", () => {
      const integrated = ofType(run, "aws:apigatewayv2/integration:Integration").map((r) => r.name);
      assert.deepEqual(integrated.sort(), [...new Set(deployedRoutes().map((r) => `backend-http-${r.handler}`))].sort());
      assert.ok(!integrated.includes("backend-http-outbox") && !integrated.includes("backend-http-export"));
    });

    it("lets API Gateway invoke each function only for that route", () => {
      const permissions = ofType(run, "aws:lambda/permission:Permission");
      assert.equal(permissions.length, deployedRoutes().length);
      for (const route of deployedRoutes()) {
        const p = one(run, "aws:lambda/permission:Permission", `backend-http-${routeSlug(route)}-invoke`).inputs;
        assert.equal(p.principal, "apigateway.amazonaws.com");
        assert.equal(p.action, "lambda:InvokeFunction");
        assert.equal(p.function, `${run.settings.prefix}-${route.handler}`);
        assert.equal(p.sourceArn, `${executionArn}/*/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`);
      }
    });

    it("throttles the $default stage from settings and writes JSON access logs to an encrypted group", () => {
      const stage = one(run, "aws:apigatewayv2/stage:Stage", "backend-http-stage").inputs;
      assert.equal(stage.name, "$default");
      assert.equal(stage.autoDeploy, true);
      const throttling = stage.defaultRouteSettings as { throttlingRateLimit: number; throttlingBurstLimit: number };
      assert.equal(throttling.throttlingRateLimit, run.settings.api.throttleRatePerSecond);
      assert.equal(throttling.throttlingBurstLimit, run.settings.api.throttleBurst);
      const logs = stage.accessLogSettings as { destinationArn: string; format: string };
      const group = one(run, "aws:cloudwatch/logGroup:LogGroup", "backend-http-access-logs").inputs;
      assert.equal(logs.destinationArn, `${arnPrefix(run, "logs")}:log-group:${String(group.name)}`);
      assert.equal(group.kmsKeyId, `${arnPrefix(run, "kms")}:key/backend-keys-logs-id`);
      assert.equal(group.retentionInDays, run.settings.logs.retentionDays);
      const format = JSON.parse(logs.format) as Record<string, string>;
      assert.equal(format.requestId, "$context.requestId");
      assert.equal(format.status, "$context.status");
      assert.ok(!JSON.stringify(format).includes("header"), "no headers (they carry signatures and tokens)");
    });

    it("serves api.<domain> with TLS 1.2 on the validated certificate, mapped to the stage", () => {
      const domain = one(run, "aws:apigatewayv2/domainName:DomainName", "backend-http-domain").inputs;
      assert.equal(domain.domainName, run.settings.apiHostname);
      const config = domain.domainNameConfiguration as { securityPolicy: string; endpointType: string };
      assert.equal(config.securityPolicy, "TLS_1_2");
      assert.equal(config.endpointType, "REGIONAL");
      const mapping = one(run, "aws:apigatewayv2/apiMapping:ApiMapping", "backend-http-mapping").inputs;
      assert.deepEqual([mapping.apiId, mapping.domainName, mapping.stage], ["backend-http-api-id", "backend-http-domain-id", "backend-http-stage-id"]);
      assert.equal(run.outputs.apiUrl, `https://${run.settings.apiHostname}`);
    });
  });
}

describe("aws route source ARNs", () => {
  const arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123";
  it("turns path parameters into one-segment wildcards and leaves other routes exact", () => {
    assert.equal(routeSourceArn(arn, { method: "GET", path: "/api/tickets/{id}/messages", handler: "api", group: "api", requiresBody: false }), `${arn}/*/GET/api/tickets/*/messages`);
    assert.equal(routeSourceArn(arn, { method: "POST", path: "/webhooks/telegram", handler: "telegram", group: "webhooks", requiresBody: true }), `${arn}/*/POST/webhooks/telegram`);
  });

  it("gives every route a distinct resource name", () => {
    assert.equal(new Set(ROUTES.map(routeSlug)).size, ROUTES.length);
  });
});
