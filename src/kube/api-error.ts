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
    const text = body.trim().split('\n')[0]?.slice(0, 300) ?? '';
    return new ApiError(statusCode, status, text);
  }
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
