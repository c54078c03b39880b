import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type HandlerName, ROUTES, type Route } from "../../runtime/routes";
import type { Settings } from "../config";

export interface HttpApiArgs {
  /** Stack settings: hostname, throttling, log retention, name prefix. */
  readonly settings: Settings;
  /** The deployed functions; routes whose handler is not here are not created. */
  readonly functions: ReadonlyMap<HandlerName, { readonly name: pulumi.Input<string>; readonly invokeArn: pulumi.Input<string> }>;
  /** ARN of an ACM certificate for settings.apiHostname that has been validated. */
  readonly certificateArn: pulumi.Input<string>;
  /** Key for the access-log group. */
  readonly logsKeyArn: pulumi.Input<string>;
}

/** Fields of each JSON access-log line (no headers, bodies or query strings: they may carry tokens). */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  time: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  method: "$context.httpMethod",
  route: "$context.routeKey",
  status: "$context.status",
  latencyMs: "$context.responseLatency",
  integrationStatus: "$context.integrationStatus",
  integrationError: "$context.integrationErrorMessage",
  responseLength: "$context.responseLength",
});

/** The route's key in API Gateway, e.g. `GET /api/tickets/{id}`. */
export function routeKey(route: Route): string {
  return `${route.method} ${route.path}`;
}

/**
 * The execute-api ARN pattern a route's invocations carry: path parameters become `*`, stages `*`.
 * A lambda permission with this sourceArn admits this route and no other.
 */
export function routeSourceArn(executionArn: string, route: Route): string {
  return `${executionArn}/*/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`;
}

/** Stable, readable resource-name suffix for a route: `get-api-tickets-id`. */
export function routeSlug(route: Route): string {
  return `${route.method}${route.path}`.toLowerCase().replace(/[{}]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/-+$/, "");
}

/**
 * The HTTP API: one route per entry of runtime/routes.ts ROUTES whose function exists, each with
 * a lambda permission scoped to that route; the $default stage with throttling and JSON access
 * logs (KMS-encrypted log group); the custom domain (TLS 1.2 policy) mapped to it; the default
 * execute-api endpoint disabled, so Cloudflare's origin lock cannot be bypassed through it.
 */
export class HttpApi extends pulumi.ComponentResource {
  readonly apiId: pulumi.Output<string>;
  /** Regional target of the custom domain: what api.<domain> must CNAME to. */
  readonly domainTarget: pulumi.Output<string>;
  readonly url: string;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:HttpApi", name, {}, opts);
    const { settings } = args;

    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      { name: `${settings.prefix}-api`, protocolType: "HTTP", disableExecuteApiEndpoint: true },
      { parent: this },
    );
    this.createRoutes(name, api, args);
    const stage = this.createStage(name, api, args);
    const domain = new aws.apigatewayv2.DomainName(
      `${name}-domain`,
      {
        domainName: settings.apiHostname,
        domainNameConfiguration: { certificateArn: args.certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
      },
      { parent: this },
    );
    new aws.apigatewayv2.ApiMapping(`${name}-mapping`, { apiId: api.id, domainName: domain.id, stage: stage.id }, { parent: this });

    this.apiId = api.id;
    this.domainTarget = domain.domainNameConfiguration.targetDomainName;
    this.url = `https://${settings.apiHostname}`;
    this.registerOutputs({ apiId: this.apiId, domainTarget: this.domainTarget, url: this.url });
  }

  private createRoutes(name: string, api: aws.apigatewayv2.Api, args: HttpApiArgs): void {
    const integrations = new Map<HandlerName, aws.apigatewayv2.Integration>();
    const routed = new Set(ROUTES.map((route) => route.handler));
    for (const [handler, fn] of args.functions) {
      // Scheduled functions (export, outbox) have no route, so no integration either.
      if (!routed.has(handler)) continue;
      integrations.set(
        handler,
        new aws.apigatewayv2.Integration(
          `${name}-${handler}`,
          { apiId: api.id, integrationType: "AWS_PROXY", integrationUri: fn.invokeArn, integrationMethod: "POST", payloadFormatVersion: "2.0" },
          { parent: this },
        ),
      );
    }
    for (const route of ROUTES) {
      const integration = integrations.get(route.handler);
      const fn = args.functions.get(route.handler);
      if (!integration || !fn) continue;
      const slug = routeSlug(route);
      new aws.apigatewayv2.Route(
        `${name}-${slug}`,
        { apiId: api.id, routeKey: routeKey(route), target: pulumi.interpolate`integrations/${integration.id}` },
        { parent: this },
      );
      new aws.lambda.Permission(
        `${name}-${slug}-invoke`,
        {
          function: fn.name,
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          statementId: `apigateway-${slug}`,
          sourceArn: api.executionArn.apply((arn) => routeSourceArn(arn, route)),
        },
        { parent: this },
      );
    }
  }

  private createStage(name: string, api: aws.apigatewayv2.Api, args: HttpApiArgs): aws.apigatewayv2.Stage {
    const { settings } = args;
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { name: `/aws/apigateway/${settings.prefix}-api`, retentionInDays: settings.logs.retentionDays, kmsKeyId: args.logsKeyArn },
      { parent: this },
    );
    return new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: settings.api.throttleRatePerSecond,
          throttlingBurstLimit: settings.api.throttleBurst,
          detailedMetricsEnabled: true,
        },
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      },
      { parent: this },
    );
  }
}
