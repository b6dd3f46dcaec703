import type { CompiledSchema, FeatureRecord, ModelSchema, Profile } from '@modelship/feature-schema';
import type { InferenceSession } from 'onnxruntime-node';
import type { ClassPrediction, Prediction, ServedTask } from './task.ts';

/** Who the served model is: reported in responses, `/readyz` and `inference_model_info`. */
export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  /** The schema fingerprint (sha256 hex), equal to the one stamped into `model.onnx`. */
  readonly fingerprint: string;
}

/** A model directory loaded, checked against its schema and warmed: ready to serve. */
export interface ServedModel {
  /** The directory it was loaded from. */
  readonly dir: string;
  /** `schema.json`, validated. */
  readonly schema: ModelSchema;
  /** The compiled schema: validate, validateMany, encode, jsonSchema, form, example. */
  readonly compiled: CompiledSchema;
  readonly identity: ModelIdentity;
  /** `profile.json`, checked against the schema: drift monitoring is on when present. */
  readonly profile?: Profile;
  /** The ONNX model's `metadata_props`. */
  readonly metadata: Readonly<Record<string, string>>;
  /** What the model predicts: numbers, or classes (with their labels) and probabilities. */
  readonly task: ServedTask;
  /** onnxruntime's description of the model's inputs (names, element types, shapes). */
  readonly inputs: readonly InferenceSession.ValueMetadata[];
  /** onnxruntime's description of the model's outputs. */
  readonly outputs: readonly InferenceSession.ValueMetadata[];
  /**
   * One onnxruntime run over validated records: one prediction per record, in order (a
   * number for regression, a {@link ClassPrediction} for a classifier).
   * Callers go through the batcher (`deps.predict`), not here.
   */
  run(records: readonly FeatureRecord[]): Promise<Prediction[]>;
  /** Frees the onnxruntime session. */
  release(): Promise<void>;
}
