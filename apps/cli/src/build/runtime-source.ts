// Which runtime image `modelship build` layers a model onto, from its flags and this release.
import type { RuntimeImage } from '@modelship/inference';
import { usageError } from '../errors.ts';

/** A named image, one built from this checkout, or one built from the installed package. */
export type RuntimeSource =
  | { readonly kind: 'reference'; readonly reference: string }
  | { readonly kind: 'source' }
  | { readonly kind: 'package'; readonly why: string };

/**
 * --base, --from-source or --from-package (at most one), else this release's runtime image if
 * published (a digest is pinned), else one built from the package.
 *
 * @throws {CliError} (exit 2) when more than one is given.
 */
export function runtimeSource(
  flags: { base?: string | undefined; fromSource: boolean; fromPackage: boolean },
  release: RuntimeImage,
): RuntimeSource {
  const given = [
    flags.base !== undefined && '--base',
    flags.fromSource && '--from-source',
    flags.fromPackage && '--from-package',
  ].filter((flag) => flag !== false);
  if (given.length > 1) {
    throw usageError(`${given.join(' and ')} exclude each other: choose one runtime image`);
  }
  if (flags.base !== undefined) return { kind: 'reference', reference: flags.base };
  if (flags.fromSource) return { kind: 'source' };
  if (flags.fromPackage) {
    return { kind: 'package', why: '--from-package: building the runtime image' };
  }
  if (release.digest) return { kind: 'reference', reference: release.reference };
  return {
    kind: 'package',
    why: `this release's runtime image (${release.reference}) is not published; building it`,
  };
}
