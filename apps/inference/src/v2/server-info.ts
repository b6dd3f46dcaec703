import pkg from '../../package.json' with { type: 'json' };

/** A `$metadata_server_response`. */
export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

/**
 * The server metadata: this service's name and version. It implements none of the protocol's
 * optional extensions (binary tensor data, statistics, model repository, ...).
 */
export const serverMetadata: ServerMetadata = {
  name: 'modelship',
  version: pkg.version,
  extensions: [],
};
