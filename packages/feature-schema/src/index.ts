export { type CompiledSchema, compileSchema } from './compile.ts';
export { createEncoder, type Encoder, matrixFeatureValue } from './encode.ts';
export {
  canonicalJson,
  FINGERPRINT_METADATA_KEY,
  FingerprintMismatchError,
  schemaFingerprint,
  verifyFingerprint,
} from './fingerprint.ts';
export { coerceFormValues, type FormDescription, type FormField, formDescription } from './form.ts';
export { type JsonSchema, recordJsonSchema } from './json-schema.ts';
export { modelSchemaSchema } from './meta-schema.ts';
export { parseSchema, SchemaError } from './parse-schema.ts';
export {
  type BuildProfileOptions,
  backgroundSample,
  binLabels,
  buildProfile,
  DEFAULT_BACKGROUND_ROWS,
  numericBin,
  numericProfile,
  type ProfiledPrediction,
  PSI_FLOOR,
  PSI_MIN_EXPECTED_COUNT,
  profileMismatches,
  psi,
  psiMinRecords,
} from './profile.ts';
export {
  type CategoricalProfile,
  type ClassesProfile,
  type NumericProfile,
  type Profile,
  ProfileError,
  parseProfile,
  profileSchema,
} from './profile-schema.ts';
export { hashSeed, seededRandom } from './random.ts';
export { recordSchema } from './record-schema.ts';
export type * from './types.ts';
export {
  createRecordParser,
  createValidator,
  EXTRA_KEYS_ALLOWED,
  MAX_LISTED_ISSUES,
  maxRecordKeys,
  type Validator,
} from './validate.ts';
