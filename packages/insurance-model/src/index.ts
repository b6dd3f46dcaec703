import { fileURLToPath } from 'node:url';

export { insuranceSchema } from './schema.ts';

/** Directory holding the bundled model artifacts (`model.onnx`, `schema.json`, model card). */
export const insuranceModelDir: string = fileURLToPath(new URL('../model/', import.meta.url));
