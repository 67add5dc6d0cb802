// An admission webhook of the real control plane refuses what only a dry run can show kdbg: a
// ValidatingWebhookConfiguration calls a small HTTPS server of this test (self-signed by openssl, trusted through
// caBundle) that denies debug containers carrying KDBG_REASON=change-freeze. kdbg's refusal comes from its dry run,
// and nothing is created.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { webPod } from '../test/backends/backend.ts';
import { runKdbg } from '../test/scenarios/harness.ts';

const WEBHOOK = 'deny.kdbg-e2e.example.com';
const DENIAL = 'no debug containers during a change freeze (KDBG_REASON=change-freeze)';

interface Seen {
  dryRun: boolean;
  containers: string[];
}

let backend: RealBackend;
let server: Server;
let dir: string;
let configName: string;
/** the webhook server's certificate, as the configuration's caBundle */
let ca: Buffer;
const seen: Seen[] = [];

/** A self-signed certificate for 127.0.0.1 (the apiserver wants it in subjectAltName). */
function selfSigned(into: string): { cert: Buffer; key: Buffer } {
  const cert = path.join(into, 'cert.pem');
  const key = path.join(into, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

/** admission.k8s.io/v1 AdmissionReview in, AdmissionReview out: denies new ephemeral containers with the freeze reason. */
function review(body: string): object {
  const { request } = JSON.parse(body) as { request: { uid: string; dryRun?: boolean; object: V1Pod; oldObject?: V1Pod } };
  const before = new Set((request.oldObject?.spec?.ephemeralContainers ?? []).map((c) => c.name));
  const added = (request.object.spec?.ephemeralContainers ?? []).filter((c) => !before.has(c.name));
  seen.push({ dryRun: request.dryRun === true, containers: added.map((c) => c.name) });
  const frozen = added.some((c: V1EphemeralContainer) => c.env?.some((e) => e.name === 'KDBG_REASON' && e.value === 'change-freeze'));
  const response = frozen ? { uid: request.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: DENIAL } } : { uid: request.uid, allowed: true };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

beforeAll(async () => {
  backend = await realBackendImpl();
  dir = mkdtempSync(path.join(tmpdir(), 'kdbg-webhook-'));
  const { cert, key } = selfSigned(dir);
  ca = cert;
  server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(review(Buffer.concat(chunks).toString('utf8'))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  if (configName) await backend.api('DELETE', `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${configName}`, undefined, { allow: [404] });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an admission webhook judges the dry run', () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('webhook');
    await backend.createPod(ns, webPod('web-0'));
    kubeconfig = await backend.kubeconfig('debugger', ns);
    const port = (server.address() as { port: number }).port;
    configName = `kdbg-e2e-${ns}`;
    await backend.api('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: configName },
      webhooks: [
        {
          name: WEBHOOK,
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: ca.toString('base64') },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          failurePolicy: 'Fail',
          timeoutSeconds: 5,
        },
      ],
    });
    // the apiserver picks the configuration up a moment later: until then a frozen dry run passes
    const probe = { spec: { ephemeralContainers: [{ name: 'probe', image: 'busybox:1.36.1', env: [{ name: 'KDBG_REASON', value: 'change-freeze' }] }] } };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await backend.api('PATCH', `/api/v1/namespaces/${ns}/pods/web-0/ephemeralcontainers?dryRun=All`, probe, {
        contentType: 'application/strategic-merge-patch+json',
        allow: [400, 403],
      });
      if (r.status === 403) break;
      if (Date.now() > deadline) throw new Error(`webhook ${WEBHOOK} not called after 30 s: ${JSON.stringify(r.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    seen.length = 0;
  });

  it("refuses on the dry run with the webhook's name and message, and creates nothing", async () => {
    const r = await runKdbg(['attach', 'web-0', '--reason', 'change-freeze', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(
      new RegExp(`^kdbg: an admission webhook refuses debug container kdbg-busybox-\\w{5}: admission webhook "deny\\.kdbg-e2e\\.example\\.com" denied the request: no debug containers during a change freeze \\(KDBG_REASON=change-freeze\\) \\(nothing was created\\)\n$`),
    );
    expect(await backend.ephemeralContainers(ns, 'web-0')).toEqual([]);
    // only the dry run reached the webhook
    expect(seen.map((s) => s.dryRun)).toEqual([true]);
  });

  it('admits what it allows: the dry run, then the PATCH', async () => {
    seen.length = 0;
    const r = await runKdbg(['attach', 'web-0', '--reason', 'INC-1', '--', 'echo', 'in'], { kubeconfig });
    expect(r.stdout.toString()).toBe('in\n');
    expect(r.code).toBe(0);
    expect(seen.map((s) => s.dryRun)).toEqual([true, false]);
    expect(await backend.ephemeralContainers(ns, 'web-0')).toHaveLength(1);
  });
});
