// Types of runtime-app.mjs (plain JavaScript: bundle.mjs runs without a compiler).

/** The service's entry point in /app, which the Dockerfile's ENTRYPOINT runs. */
export declare const APP_ENTRY: string;

/** One file of /app: where it is copied from, and its path under /app. */
export interface AppFile {
  readonly from: string;
  readonly to: string;
}

/** /app's files: its package.json's text and every other file, sorted by path. */
export interface RuntimeApp {
  readonly packageJson: string;
  readonly files: readonly AppFile[];
}

/** The folder of each runtime package as installed for code in `fromDir`. */
export declare function resolveRuntimePackages(fromDir: string): Promise<Map<string, string>>;

/** The files of /app for `platform`/`arch` (Node's names: linux, x64 or arm64). */
export declare function runtimeAppFiles(options: {
  readonly manifest: { readonly name: string; readonly version: string };
  readonly dist: string;
  readonly entry?: string;
  readonly packages: ReadonlyMap<string, string>;
  readonly platform: string;
  readonly arch: string;
}): Promise<RuntimeApp>;

/** Writes `app` into the folder `out`, every file and folder readable by all. */
export declare function writeRuntimeApp(app: RuntimeApp, out: string): Promise<void>;
