import type { V1SecurityContext } from '@kubernetes/client-node';

/** What a debug container is made of, before it is fitted to a pod. */
export interface Profile {
  name: string;
  description: string;
  /** a pinned image reference (never :latest) */
  image: string;
  /** the interactive shell, and the program that reads a script on stdin */
  shell: string[];
  securityContext?: V1SecurityContext;
  env?: Record<string, string>;
  /** where it was defined: "built-in" or the config file path */
  source: string;
}
