/**
 * A DNS-1035 label, the form Kubernetes requires of a Service's name: at most 63 lowercase
 * letters, digits or '-', starting with a letter and ending with a letter or digit.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
 */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The workload name derived from a model's name: lowercased, accents dropped, every run of
 * other characters one '-', leading characters up to the first letter dropped
 * (`Churn Model (v2)` → `churn-model-v2`). `undefined` when nothing is left.
 */
export function workloadName(modelName: string): string | undefined {
  const name = modelName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return name === '' ? undefined : name;
}
