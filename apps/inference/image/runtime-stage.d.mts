// Types of runtime-stage.mjs (plain JavaScript: the CLI's build script runs without a compiler).

/** The folder of a package build's context that holds /app's files. */
export declare const CONTEXT_APP_DIR: string;

/** The runtime stage of a Dockerfile: its text, its base image, and where /app comes from. */
export declare function runtimeStage(dockerfile: string): {
  readonly text: string;
  readonly base: string;
  readonly app: { readonly stage: string; readonly path: string };
};

/** The Dockerfile of the runtime image built from a context's `app/` and the stage verbatim. */
export declare function packageRuntimeDockerfile(stageText: string): string;
