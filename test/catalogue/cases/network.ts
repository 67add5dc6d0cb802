// Servers that cannot be talked to, or are not the API server kdbg needs.
import type { CaseGroup } from '../case.ts';
import { sleeper } from '../fixtures.ts';

export const network: CaseGroup = {
  title: 'Connection and TLS',
  cases: [
    { id: 'server-unreachable', title: 'nothing listens at the server address', kubeconfig: 'refused', args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: 'kdbg: cannot talk to {server}: connect ECONNREFUSED 127.0.0.1:{…}', createsNothing: true, verbose: true },
    { id: 'server-never-answers', title: 'a server that accepts connections and never answers', kubeconfig: 'silent', args: ['ls'], exit: 125, stderr: 'kdbg: timed out after 30s talking to {server}' },
    { id: 'version-server-never-answers', title: 'kdbg version, with a server that never answers', kubeconfig: 'silent', args: ['version'], exit: 0, stderr: '', stdout: 'kdbg {…} (Node {…})\nserver unknown: timed out after 2s talking to {server}, at {server}, context fake\n' },
    { id: 'tls-plain-http', title: 'an https:// server that speaks plain HTTP', kubeconfig: 'plain-http', args: ['stop', 'web-0'], exit: 125, stderr: 'kdbg: cannot talk to {server}: TLS failed: wrong version number (EPROTO)' },
    { id: 'tls-untrusted', title: "a server whose certificate the kubeconfig's CA did not sign", kubeconfig: 'untrusted-ca', args: ['cp', 'web-0:/etc/hostname', './x'], exit: 125, stderr: 'kdbg: cannot talk to {server}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)', createsNothing: true, verbose: true },
    { id: 'tls-wrong-name', title: 'a server certificate for another name (tls-server-name)', kubeconfig: 'wrong-server-name', args: ['ls'], exit: 125, stderr: "kdbg: cannot talk to {server}: Hostname/IP does not match certificate's altnames: Host: kubernetes.example.com. is not in the cert's altnames: IP Address:127.0.0.1, DNS:localhost (ERR_TLS_CERT_ALTNAME_INVALID)" },
    { id: 'proxy-bad-gateway', title: 'a proxy that answers 502 with an HTML page', kubeconfig: 'bad-gateway', args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: 'kdbg: HTTP 502 with an HTML page ("502 Bad Gateway"), not an API server\'s answer', createsNothing: true },
    {
      id: 'server-too-old',
      title: 'an API server without pods/ephemeralcontainers (before 1.25)',
      ownCluster: { serverVersion: 'v1.22.17' },
      pods: [sleeper()],
      args: ['attach', 'web-0', '--', 'true'],
      exit: 125,
      stderr: 'kdbg: the API server (v1.22.17) has no ephemeral containers: kdbg needs Kubernetes 1.25 or later',
      createsNothing: true,
    },
  ],
};
