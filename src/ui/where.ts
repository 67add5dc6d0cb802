// The one line kdbg prints before it acts: which cluster, namespace, pod, container and debug container.
import { formatAge } from './age.ts';

export interface Where {
  context: string;
  namespace: string;
  pod: string;
  target: string;
  debugContainer: string;
  reusedSince?: Date | undefined;
  reused: boolean;
  now: Date;
}

export function whereLine(w: Where): string {
  const state = w.reused ? `reused${w.reusedSince ? `, up ${formatAge(w.now.getTime() - w.reusedSince.getTime())}` : ''}` : 'new';
  return `${contextPrefix(w.context)}${w.namespace} pod/${w.pod} → ${w.target}, debug container ${w.debugContainer} (${state})`;
}

/** `CONTEXT/` before a namespace, where there is a context (in-cluster has none) */
export function contextPrefix(context: string): string {
  return context ? `${context}/` : '';
}
