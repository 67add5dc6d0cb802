// Validating admission webhooks on pods/ephemeralcontainers, called as kube-apiserver's ValidatingAdmissionWebhook
// plugin calls them (k8s.io/apiserver/pkg/admission/plugin/webhook): after validation and the built-in admission
// (PodSecurity), in order, dry runs included. A dry run reaches only webhooks whose sideEffects are None or
// NoneOnDryRun; any other fails it with errors.NewDryRunUnsupportedErr's 400 (validating/dispatcher.go). A denial
// is errors.ToStatusErr of the webhook's status: a code below 400 becomes 400, and the message reads
// `admission webhook "NAME" denied the request: MESSAGE` (else `: REASON`, else ` without explanation`).
import { ApiFailure, badRequest, type JsonObject, type StatusDetails } from './status.ts';

/** What the webhook is asked (the fields of admission/v1 AdmissionRequest it gets here). */
export interface AdmissionRequest {
  operation: 'UPDATE';
  resource: 'pods';
  subResource: 'ephemeralcontainers';
  namespace: string;
  name: string;
  object: JsonObject;
  oldObject: JsonObject;
  dryRun: boolean;
}

/** admission/v1 AdmissionResponse: allowed, and for a denial its metav1.Status. */
export interface AdmissionResponse {
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string; details?: StatusDetails };
}

export interface FakeWebhook {
  /** a qualified name, as in a ValidatingWebhookConfiguration: deny.example.com */
  name: string;
  sideEffects: 'None' | 'NoneOnDryRun' | 'Some' | 'Unknown';
  review(request: AdmissionRequest): AdmissionResponse;
}

const DRY_RUN_SAFE = new Set(['None', 'NoneOnDryRun']);

/** Throws the first webhook's refusal, in their order (the dispatcher keeps it, whichever answered first). */
export function admitWebhooks(webhooks: FakeWebhook[], request: AdmissionRequest): void {
  for (const hook of webhooks) {
    if (request.dryRun && !DRY_RUN_SAFE.has(hook.sideEffects)) throw badRequest(`admission webhook "${hook.name}" does not support dry run`);
    const response = hook.review(structuredClone(request));
    if (!response.allowed) throw denial(hook.name, response.status);
  }
}

function denial(name: string, status: AdmissionResponse['status'] = {}): ApiFailure {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const message = status.message ? `${deniedBy}: ${status.message}` : status.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  const code = status.code !== undefined && status.code >= 400 ? status.code : 400;
  return new ApiFailure(code, status.reason ?? '', message, status.details);
}
