// The profiles kdbg can use: the built-ins (through the config's registry mirror, if any), then the config file's own.
import { KdbgError } from '../errors.ts';
import { builtinProfiles, DEFAULT_PROFILE, mirrorImage } from './builtin.ts';
import { type ConfigFile, type CustomProfileSpec, readConfigFile } from './config-file.ts';
import type { Profile } from './profile.ts';

export interface Catalog {
  /** built-ins first, then custom profiles in file order */
  profiles: Profile[];
  defaultProfile: string;
  /** the config file that sets defaultProfile, if one does */
  defaultSetIn: string | undefined;
  /** the config file that sets requireDigest: true, if one does */
  requireDigestIn: string | undefined;
  /** throws a KdbgError listing the known names when `name` is unknown */
  get(name: string): Profile;
}

export interface LoadProfilesOptions {
  /** --config: must exist; without it the default path is read if present */
  configPath?: string;
  env: NodeJS.ProcessEnv;
}

export async function loadProfiles(options: LoadProfilesOptions): Promise<Catalog> {
  return catalogOf(await readConfigFile(options.configPath, options.env));
}

function catalogOf(config: ConfigFile | undefined): Catalog {
  const registry = config?.registry;
  const profiles = builtinProfiles().map((p) => (registry ? { ...p, image: mirrorImage(p.image, registry) } : p));
  if (config) for (const spec of config.profiles) profiles.push(custom(spec, profiles, config.path));
  return {
    profiles,
    defaultProfile: config?.defaultProfile ?? DEFAULT_PROFILE,
    defaultSetIn: config?.defaultProfile === undefined ? undefined : config.path,
    requireDigestIn: config?.requireDigest ? config.path : undefined,
    get(name) {
      const found = profiles.find((p) => p.name === name);
      if (!found) throw new KdbgError('usage', `unknown profile "${name}" (known: ${profiles.map((p) => p.name).join(', ')})`);
      return found;
    },
  };
}

/**
 * A custom profile, on top of the one it extends (already in `defined`, the config file checked that): image and
 * shell replace the base's (the shell defaults to sh), env is merged (own values win), a securityContext replaces the
 * base's whole (`{}` clears it).
 */
function custom(spec: CustomProfileSpec, defined: Profile[], source: string): Profile {
  const base = spec.extends === undefined ? undefined : defined.find((p) => p.name === spec.extends)!;
  const env = { ...base?.env, ...spec.env };
  const securityContext = spec.securityContext ?? base?.securityContext;
  return {
    name: spec.name,
    description: spec.description ?? (base ? `extends ${base.name}` : ''),
    image: (spec.image ?? base?.image)!,
    shell: spec.shell ?? base?.shell ?? ['sh'],
    ...(Object.keys(env).length ? { env } : {}),
    ...(securityContext && Object.keys(securityContext).length ? { securityContext: structuredClone(securityContext) } : {}),
    source,
  };
}
