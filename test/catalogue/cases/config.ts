// Kubeconfigs, credentials and kdbg config files that cannot work.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseEnv, CaseGroup } from '../case.ts';
import { sleeper } from '../fixtures.ts';

/** Writes kdbg's config file into the case's folder; the case passes it with --config. */
const configFile = (text: string) => (env: CaseEnv) => writeFileSync(path.join(env.dir, 'config.yaml'), text);
const config = (env: CaseEnv) => path.join(env.dir, 'config.yaml');

export const kubeconfigs: CaseGroup = {
  title: 'Kubeconfig',
  cases: [
    { id: 'kubeconfig-env-missing', title: '$KUBECONFIG names a file that does not exist', args: ['ls'], env: { KUBECONFIG: '/nonexistent/kubeconfig' }, exit: 125, stderr: 'kdbg: no current context (no kubeconfig was read: /nonexistent/kubeconfig does not exist): pass --kubeconfig or --context, or choose one with kubectl config use-context' },
    { id: 'kubeconfig-flag-missing', title: '--kubeconfig names a file that does not exist', args: ['attach', 'web-0', '--kubeconfig', '/nonexistent/kubeconfig', '--', 'true'], exit: 125, stderr: 'kdbg: kubeconfig file /nonexistent/kubeconfig does not exist', createsNothing: true },
    { id: 'kubeconfig-garbage', title: 'a kubeconfig that is not YAML', kubeconfig: 'garbage-yaml', args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: 'kdbg: kubeconfig {dir}/garbage-yaml.kubeconfig is not valid YAML (line 5, column 49)', createsNothing: true, verbose: true },
    { id: 'kubeconfig-not-a-mapping', title: 'a kubeconfig that is a list', kubeconfig: 'not-a-mapping', args: ['ls'], exit: 125, stderr: 'kdbg: kubeconfig {dir}/not-a-mapping.kubeconfig is not a mapping' },
    { id: 'context-missing', title: '--context names no context of the kubeconfig', args: ['attach', 'web-0', '--context', 'prod', '--', 'true'], exit: 125, stderr: 'kdbg: context "prod" not found in kubeconfig', createsNothing: true },
    { id: 'no-current-context', title: 'a kubeconfig without a current context', kubeconfig: 'no-current-context', args: ['stop', 'web-0'], exit: 125, stderr: 'kdbg: no current context (none in {dir}/no-current-context.kubeconfig): pass --kubeconfig or --context, or choose one with kubectl config use-context' },
    { id: 'context-cluster-missing', title: "a context whose cluster the kubeconfig lacks", kubeconfig: 'context-without-cluster', args: ['capture', 'web-0', '-w', '-'], exit: 125, stderr: 'kdbg: cluster "gone" (of context "fake") not found in kubeconfig', createsNothing: true },
    { id: 'context-user-missing', title: 'a context whose user the kubeconfig lacks', kubeconfig: 'missing-user', args: ['ls'], exit: 125, stderr: 'kdbg: user "nobody" (of context "fake") not found in kubeconfig' },
    { id: 'cluster-without-server', title: 'a cluster without a server', kubeconfig: 'no-server', args: ['ls'], exit: 125, stderr: 'kdbg: cluster "fake" has no server' },
    { id: 'cluster-server-not-http', title: 'a server that is not an http(s) URL', kubeconfig: 'ftp-server', args: ['ls'], exit: 125, stderr: 'kdbg: cluster "fake": server must be an http:// or https:// URL' },
    { id: 'ca-file-missing', title: 'a certificate-authority file that does not exist', kubeconfig: 'ca-file-missing', args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: 'kdbg: cluster "fake": cannot read certificate-authority {dir}/no-such-ca.crt: ENOENT', createsNothing: true },
    { id: 'namespace-missing', title: 'a namespace that does not exist', args: ['attach', 'web-0', '-n', 'nosuchns', '--', 'true'], exit: 125, stderr: 'kdbg: pod web-0 not found in namespace nosuchns (context fake)', createsNothing: true },
  ],
};

export const credentials: CaseGroup = {
  title: 'Credentials',
  cases: [
    { id: 'token-wrong', title: 'a token the API server does not accept (401)', kubeconfig: 'wrong-token', args: ['attach', 'web-0', '--', 'true'], pods: [sleeper()], exit: 125, stderr: 'kdbg: Unauthorized', createsNothing: true, verbose: true },
    { id: 'token-file-missing', title: 'a tokenFile that does not exist', kubeconfig: 'token-file-missing', args: ['ls'], exit: 125, stderr: 'kdbg: cannot read token file {dir}/no-such-token: ENOENT' },
    { id: 'exec-plugin-fails', title: 'an exec credential plugin that fails', kubeconfig: 'exec-fails', args: ['attach', 'web-0', '--', 'true'], pods: [sleeper()], exit: 125, stderr: `kdbg: credential plugin "${process.execPath}" (user "me") failed with exit code 3`, createsNothing: true, verbose: true },
    { id: 'exec-plugin-garbage', title: 'an exec credential plugin that prints no ExecCredential', kubeconfig: 'exec-garbage', args: ['ls'], exit: 125, stderr: `kdbg: credential plugin "${process.execPath}" (user "me") did not print an ExecCredential (its output is not JSON)`, verbose: true },
    { id: 'exec-plugin-missing', title: 'an exec credential plugin that is not installed', kubeconfig: 'exec-missing', args: ['ls'], exit: 125, stderr: 'kdbg: credential plugin "kdbg-catalogue-no-such-plugin" (user "me") not found; Install it with: brew install kdbg-catalogue-plugin' },
    { id: 'exec-plugin-needs-terminal', title: 'an exec credential plugin that needs a terminal, without one', kubeconfig: 'exec-needs-terminal', args: ['ls'], exit: 125, stderr: `kdbg: credential plugin "${process.execPath}" (user "me") needs a terminal (interactiveMode: Always), but standard input is not one` },
  ],
};

export const configFiles: CaseGroup = {
  title: 'kdbg config files',
  cases: [
    { id: 'config-missing', title: '--config names a file that does not exist', args: ['profiles', '--config', '/nonexistent/kdbg.yaml'], exit: 125, stderr: 'kdbg: config file /nonexistent/kdbg.yaml does not exist' },
    { id: 'config-not-yaml', title: 'a config file that is not YAML', setup: configFile('profiles: [unclosed\n'), args: (env) => ['attach', 'web-0', '--config', config(env), '--', 'true'], exit: 125, stderr: 'kdbg: {dir}/config.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]', createsNothing: true },
    { id: 'config-unknown-key', title: 'a config file with a key kdbg does not know', setup: configFile('profiles:\n  mine:\n    image: busybox:1.36.1\n    colour: red\n'), args: (env) => ['profiles', '--config', config(env)], exit: 125, stderr: 'kdbg: {dir}/config.yaml:4:5: profiles.mine.colour: unknown key (expected one of description, extends, image, shell, env, securityContext)' },
    { id: 'config-privileged-profile', title: 'a privileged profile without --allow-privileged', setup: configFile('profiles:\n  root:\n    image: busybox:1.36.1\n    securityContext:\n      privileged: true\n'), args: (env) => ['attach', 'web-0', '-p', 'root', '--config', config(env), '--', 'true'], exit: 125, stderr: 'kdbg: profile "root" sets privileged: true, which opens the whole node to the debug container; pass --allow-privileged to use it', createsNothing: true },
    { id: 'config-digest-required', title: 'an image by tag where the config requires digests', setup: configFile('requireDigest: true\n'), args: (env) => ['attach', 'web-0', '--image', 'busybox:1.36', '--config', config(env), '--', 'true'], exit: 125, stderr: `kdbg: --image busybox:1.36 is not pinned by digest, and {dir}/config.yaml sets requireDigest: true; use name@sha256:… (--image, or a profile's image)`, createsNothing: true },
  ],
};
