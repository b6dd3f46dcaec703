/** Who reads a Cloud Storage model source: the pods' Kubernetes service account, in a project. */
export interface BucketReader {
  readonly bucket: string;
  /** The project id (Workload Identity Federation's pool is `PROJECT_ID.svc.id.goog`). */
  readonly projectId: string;
  /** The project number, or a shell expression that prints it. */
  readonly projectNumber: string;
  readonly namespace: string;
  /** The Kubernetes service account: the workload's name. */
  readonly serviceAccount: string;
}

/**
 * The command that lets a workload's pods read its bucket: `roles/storage.objectViewer` for
 * their Kubernetes service account as a Workload Identity Federation principal (no Google
 * service account, no key).
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-storage-fuse-csi-driver-setup#authentication
 */
export function bucketReaderBinding(r: BucketReader): string {
  const pool = `${r.projectId}.svc.id.goog`;
  const member = `principal://iam.googleapis.com/projects/${r.projectNumber}/locations/global/workloadIdentityPools/${pool}/subject/ns/${r.namespace}/sa/${r.serviceAccount}`;
  return [
    `gcloud storage buckets add-iam-policy-binding gs://${r.bucket} --role=roles/storage.objectViewer \\`,
    `  --member="${member}"`,
  ].join('\n');
}
