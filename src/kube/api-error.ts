import type { V1Status } from '@kubernetes/client-node';
import { KdbgError, type ErrorKind } from '../errors.ts';

/** A non-2xx answer from the API server, carrying its Status when the body was one. */
export class ApiError extends KdbgError {
  constructor(
    readonly statusCode: number,
    readonly status: V1Status | undefined,
    fallbackText: string,
  ) {
    super(kindOf(statusCode), status?.message || fallbackText || `HTTP ${statusCode}`);
    this.name = 'ApiError';
  }

  /** Decodes a response body that may or may not be a metav1.Status. */
  static fromBody(statusCode: number, body: string): ApiError {
    let status: V1Status | undefined;
    try {
      const parsed = JSON.parse(body) as V1Status & { kind?: string };
      if (parsed && parsed.kind === 'Status') status = parsed;
    } catch {
      // not JSON: keep the text
    }
    return new ApiError(statusCode, status, status ? '' : plainText(statusCode, body));
  }
}

/** A body that is not a Status, as one line: its first line, or what an HTML page (a proxy's, never the API server's) is titled. */
function plainText(statusCode: number, body: string): string {
  if (/^\s*<(!doctype|html)/i.test(body)) {
    const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    return `HTTP ${statusCode} with an HTML page${title ? ` ("${title}")` : ''}, not an API server's answer`;
  }
  return body.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

/** No answer: the connection failed, dropped or timed out. The request may or may not have reached the server. */
export class TransportError extends KdbgError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('api', message, options);
    this.name = 'TransportError';
  }
}

function kindOf(statusCode: number): ErrorKind {
  if (statusCode === 401) return 'auth';
  if (statusCode === 403) return 'forbidden';
  if (statusCode === 404) return 'not-found';
  return 'api';
}
