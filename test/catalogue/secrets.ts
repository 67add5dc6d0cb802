// The secrets the catalogue's kubeconfigs carry, distinctive so that a leak into any output is found by grep.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const hex = () => randomBytes(12).toString('hex');

export interface Secrets {
  /** bearer tokens the fake accepts, by user */
  token: { debugger: string; viewer: string; noexec: string; admin: string };
  /** the token the exec plugin prints (for debugger) */
  execToken: string;
  /** a token the fake does not know */
  wrongToken: string;
  /** a client certificate and its key, PEM; the fake asks for no client certificate, so they only ride along */
  clientCert: string;
  clientKey: string;
  /** a certificate no kubeconfig trusts as the server's: the CA of the kubeconfig whose server it is not */
  strangerCa: string;
}

/** Fresh secrets, with a client key pair and a stranger CA made by openssl. */
export function makeSecrets(): Secrets {
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-catalogue-pki-'));
  try {
    const pair = (name: string) => {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.crt`);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-days', '2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    };
    const client = pair('catalogue-client');
    return {
      token: { debugger: `s3cr3t-token-${hex()}`, viewer: `s3cr3t-viewer-${hex()}`, noexec: `s3cr3t-noexec-${hex()}`, admin: `s3cr3t-admin-${hex()}` },
      execToken: `s3cr3t-exec-${hex()}`,
      wrongToken: `s3cr3t-wrong-${hex()}`,
      clientCert: client.cert,
      clientKey: client.key,
      strangerCa: pair('stranger').cert,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every string that must never appear in kdbg's output: tokens, the key's body, the base64 of key and cert. */
export function forbiddenStrings(s: Secrets): string[] {
  const keyLines = s.clientKey.split('\n').filter((l) => l && !l.startsWith('-----'));
  return [
    ...Object.values(s.token),
    s.execToken,
    s.wrongToken,
    ...keyLines,
    Buffer.from(s.clientKey).toString('base64'),
  ];
}
