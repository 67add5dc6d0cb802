/** /api/v1/namespaces/NS/RESOURCE[/NAME]; pods by default */
export function podPath(namespace: string, pod?: string, resource = 'pods'): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`;
  return pod === undefined ? base : `${base}/${encodeURIComponent(pod)}`;
}
