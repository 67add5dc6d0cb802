// krew's checks of a plugin manifest (sigs.k8s.io/krew pkg/index/validation ValidatePlugin, with its semver
// parse), as errors in krew's words; an empty list is a manifest krew installs.
const API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';
const SAFE_NAME = /^[\w-]+$/;
const WINDOWS_FORBIDDEN = ['CON', 'PRN', 'AUX', 'NUL', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`])];
/** krew's semver.Parse: a leading v, then a semantic version as k8s.io/apimachinery's ParseSemantic reads it */
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const SHA256 = /^[a-f0-9]{64}$/;

interface Selector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string }[] | null;
}

export interface KrewPlugin {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    version?: string;
    shortDescription?: string;
    platforms?: { uri?: string; sha256?: string; bin?: string; files?: { from?: string; to?: string }[]; selector?: Selector | null }[];
  };
}

/** The manifest file's name without .yaml is `name`. */
export function validateKrewPlugin(name: string, p: KrewPlugin): string[] {
  const errors: string[] = [];
  if (p.apiVersion !== API_VERSION) errors.push(`plugin manifest has apiVersion=${JSON.stringify(p.apiVersion)}, not supported`);
  if (p.kind !== 'Plugin') errors.push(`plugin manifest has kind=${JSON.stringify(p.kind)}, but only "Plugin" is supported`);
  if (!SAFE_NAME.test(name) || WINDOWS_FORBIDDEN.includes(name.toUpperCase())) errors.push(`the plugin name ${JSON.stringify(name)} is not allowed`);
  if (p.metadata?.name !== name) errors.push(`plugin should be named ${JSON.stringify(name)}, not ${JSON.stringify(p.metadata?.name)}`);
  if (!p.spec?.shortDescription) errors.push('should have a short description');
  if (!p.spec?.platforms?.length) errors.push('should have a platform specified');
  if (!p.spec?.version) errors.push('should have a version specified');
  else if (!SEMVER.test(p.spec.version)) errors.push(`failed to parse plugin version ${JSON.stringify(p.spec.version)}`);
  for (const [i, pl] of (p.spec?.platforms ?? []).entries()) {
    const bad = (why: string) => errors.push(`platform ${i} is badly constructed: ${why}`);
    if (!pl.uri) bad('URI has to be set');
    if (!pl.sha256) bad('sha256 sum has to be set');
    else if (!SHA256.test(pl.sha256)) bad(`sha256 value ${pl.sha256} is not valid`);
    if (!pl.bin) bad('bin has to be set');
    if (!pl.files?.length) bad("can't have a plugin without specifying file operations");
    const why = selectorError(pl.selector);
    if (why) bad(`invalid platform selector: ${why}`);
  }
  return errors;
}

function selectorError(sel: Selector | null | undefined): string | undefined {
  if (!sel) return 'nil selector is not supported';
  if (!sel.matchLabels && !sel.matchExpressions?.length) return 'empty selector is not supported';
  const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
  const other = keys.find((k) => k !== 'os' && k !== 'arch');
  if (other !== undefined) return `key ${JSON.stringify(other)} not supported`;
  if (sel.matchLabels && Object.keys(sel.matchLabels).length === 0) return 'matchLabels specified but empty';
  if (sel.matchExpressions && sel.matchExpressions.length === 0) return 'matchExpressions specified but empty';
  return undefined;
}
