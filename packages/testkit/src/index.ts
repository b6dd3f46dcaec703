export * from './dense-models.ts';
export { type WaitOptions, waitForHttp } from './http.ts';
export { freePort } from './net.ts';
export {
  findNginx,
  nginxConfigTest,
  type StartNginxOptions,
  startNginx,
  stdoutFile,
} from './nginx.ts';
export * from './onnx-explain-models.ts';
export * from './onnx-models.ts';
export { installPacked, type PackedInstall } from './packed.ts';
export { type Managed, type StartOptions, startProcess, stopAll } from './process.ts';
