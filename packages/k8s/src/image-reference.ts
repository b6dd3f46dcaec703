/**
 * Container image references: parsing, the pinning rule and the pull policy that follows from
 * a reference.
 * @see https://github.com/distribution/reference/blob/main/reference.go (the grammar)
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
 */
import { fail } from './validate.ts';

/** A DNS label of a registry host. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
/**
 * A registry host: the first component counts as one only with a dot, a port or as
 * `localhost` (`europe-west1-docker.pkg.dev`, `registry:5000`); `acme/x` is Docker Hub's.
 */
const DOMAIN = String.raw`(?:${LABEL}(?:\.${LABEL})+(?::\d+)?|${LABEL}:\d+|localhost)`;
/** One lowercase path component of a repository name. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?<name>(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)` +
    String.raw`(?::(?<tag>\w[\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$`,
);

/** The parts of an image reference. */
export interface ImageReference {
  /** Repository, with its registry when given: `nginxinc/nginx-unprivileged`. */
  readonly name: string;
  /** Tag, e.g. `1.30.5-trixie`. */
  readonly tag: string | undefined;
  /** Content digest, `sha256:<64 hex>`. */
  readonly digest: string | undefined;
}

/** Parses `name[:tag][@sha256:<64 hex>]`; undefined for anything else. */
export function parseImageReference(reference: string): ImageReference | undefined {
  const groups = IMAGE_REFERENCE.exec(reference)?.groups;
  if (groups?.name === undefined) return undefined;
  return { name: groups.name, tag: groups.tag, digest: groups.digest };
}

/**
 * Throws unless `reference` is pinned: `name:tag`, `name@sha256:<64 hex>` or
 * `name:tag@sha256:<64 hex>`, and not the moving `latest` tag.
 */
export function assertPinnedImage(prop: string, reference: string): ImageReference {
  const parsed = parseImageReference(reference);
  if (
    parsed === undefined ||
    (parsed.tag === undefined && parsed.digest === undefined) ||
    (parsed.tag === 'latest' && parsed.digest === undefined)
  ) {
    fail(
      prop,
      reference,
      'must be an image reference with a pinned tag or digest (not :latest): name:tag, name@sha256:<64 hex> or name:tag@sha256:<64 hex>',
    );
  }
  return parsed;
}

/**
 * The pull policy a reference calls for. A digest names immutable content, so a cached copy is
 * the image (`IfNotPresent`). A tag can be pushed again (the runbook re-pushes `:0.1.0` after a
 * fix): with `IfNotPresent` a node that already holds the old image would keep running it, so a
 * tag is checked against the registry on every container start (`Always`; unchanged layers are
 * not downloaded again).
 */
export function defaultPullPolicy(reference: ImageReference): 'Always' | 'IfNotPresent' {
  return reference.digest === undefined ? 'Always' : 'IfNotPresent';
}
