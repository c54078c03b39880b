/**
 * The API Gateway HTTP API (payload format 2.0) event and result, as far as botfleet reads them.
 * Declared here instead of pulling @types/aws-lambda into the runtime; the local stack builds the
 * same shape. Header names are lower case in 2.0 events.
 */
export interface HttpEvent {
  readonly version?: string;
  readonly routeKey?: string;
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: {
    readonly http: { readonly method: string; readonly path: string; readonly sourceIp?: string };
    readonly requestId?: string;
    readonly timeEpoch?: number;
  };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}
