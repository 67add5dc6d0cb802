// metav1.Status bodies and field errors, formatted like k8s.io/apimachinery (api/errors, util/validation/field).

export type Json = any;
export type JsonObject = Record<string, Json>;

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** An API error answered as a Status body with its HTTP code. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  body(): JsonObject {
    return statusObject('Failure', this.message, this.reason, this.details, this.code, true);
  }
}

/** A Status in the order Go marshals it; `typed` adds kind/apiVersion (REST answers do, stream status frames don't). */
export function statusObject(
  status: 'Success' | 'Failure',
  message?: string,
  reason?: string,
  details?: StatusDetails,
  code?: number,
  typed = false,
): JsonObject {
  const out: JsonObject = typed ? { kind: 'Status', apiVersion: 'v1', metadata: {} } : { metadata: {} };
  out.status = status;
  if (message) out.message = message;
  if (reason) out.reason = reason;
  if (details) out.details = details;
  if (code) out.code = code;
  return out;
}

export const notFound = (resource: string, name: string, group = ''): ApiFailure =>
  new ApiFailure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, details(name, resource, group));

export const badRequest = (message: string): ApiFailure => new ApiFailure(400, 'BadRequest', message);

export const internalError = (message: string): ApiFailure =>
  new ApiFailure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const conflict = (resource: string, name: string, message: string): ApiFailure =>
  new ApiFailure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${message}`, details(name, resource));

export const forbidden = (resource: string, name: string, reason: string, group = ''): ApiFailure =>
  new ApiFailure(
    403,
    'Forbidden',
    name ? `${qualified(resource, group)} "${name}" is forbidden: ${reason}` : `${qualified(resource, group)} is forbidden: ${reason}`,
    details(name, resource, group),
  );

export const unknownPath = (): ApiFailure =>
  new ApiFailure(404, 'NotFound', 'the server could not find the requested resource', {});

function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

function details(name: string, kind: string, group = ''): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (group) d.group = group;
  d.kind = kind;
  return d;
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'Not found'
  | 'Required value'
  | 'Duplicate value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Forbidden'
  | 'Too long';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: Json;
  detail?: string;
}

const causeTypes: Record<FieldErrorType, string> = {
  'Not found': 'FieldValueNotFound',
  'Required value': 'FieldValueRequired',
  'Duplicate value': 'FieldValueDuplicate',
  'Invalid value': 'FieldValueInvalid',
  'Unsupported value': 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  'Too long': 'FieldValueTooLong',
};

/** field.Error.ErrorBody(): the type, the value as Go's %q/%v prints it, then the detail. */
function errorBody(e: FieldError): string {
  let s: string = e.type;
  if (e.type !== 'Required value' && e.type !== 'Forbidden' && e.type !== 'Too long') {
    s += `: ${goValue(e.value)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

function goValue(v: Json): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** apierrors.NewInvalid: 422 with one cause per field error and utilerrors' aggregate message. */
export function invalid(kind: string, name: string, errs: FieldError[], group = ''): ApiFailure {
  const messages = [...new Set(errs.map((e) => `${e.field}: ${errorBody(e)}`))];
  const agg = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (group) d.group = group;
  if (kind) d.kind = kind;
  d.causes = errs.map((e) => ({ reason: causeTypes[e.type], message: errorBody(e), field: e.field }));
  return new ApiFailure(422, 'Invalid', `${qualified(kind, group)} "${name}" is invalid: ${agg}`, d);
}

export function supportedValues(values: string[]): string {
  return `supported values: ${values.map((v) => JSON.stringify(v)).join(', ')}`;
}
