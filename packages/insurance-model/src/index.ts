import { fileURLToPath } from 'node:url';

export { type InsuranceRecord, type InsuranceRow, loadInsuranceRows } from './data.ts';
export { insuranceFeatures } from './features.ts';
export type { LinearModel } from './linear/model.ts';
export { loadReferenceModel, referencePredict } from './reference.ts';
export { insuranceSchema } from './schema.ts';

/** Directory holding the bundled model artifacts (`model.onnx`, `schema.json`, model card). */
export const insuranceModelDir: string = fileURLToPath(new URL('../model/', import.meta.url));
