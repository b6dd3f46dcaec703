// The runtime image of this release of the service: where it is published and by which tag
// (the service's version), and its digest once a release pins one. `modelship build` layers
// models onto it; image/podman-build.sh tags the image it builds with it.
import pkg from '../package.json' with { type: 'json' };
import published from '../runtime-image.json' with { type: 'json' };

/** The runtime image's repository, tag and (where known) digest. */
export interface RuntimeImage {
  readonly repository: string;
  readonly version: string;
  readonly digest?: string;
  /** `repository:version`, with `@digest` when one is known. */
  readonly reference: string;
}

/** This release's runtime image (apps/inference/runtime-image.json and package.json's version). */
export const runtimeImage: RuntimeImage = (() => {
  const { repository } = published;
  const digest = published.digest ?? undefined;
  const tagged = `${repository}:${pkg.version}`;
  return {
    repository,
    version: pkg.version,
    ...(digest ? { digest } : {}),
    reference: digest ? `${tagged}@${digest}` : tagged,
  };
})();
