import type { ExplainSummary } from '../explain/explanations.ts';
import type { ServedModel } from '../model/served-model.ts';
import { type AcceptedDatatype, fieldDatatype } from './datatypes.ts';
import { oipOutputs } from './outputs.ts';

/** A `$metadata_tensor`: name, datatype and shape (-1 for the batch dimension). */
export interface MetadataTensor {
  readonly name: string;
  readonly datatype: AcceptedDatatype | 'BYTES';
  readonly shape: readonly number[];
}

/** A `$metadata_model_response`. */
export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly MetadataTensor[];
  readonly outputs: readonly MetadataTensor[];
}

/** The platform of every model this service serves (an ONNX model run by onnxruntime). */
export const platform = 'onnx_onnxv1';

/**
 * The model metadata, derived from the schema: one input per field (BYTES for categorical
 * fields, the model's numeric type otherwise) of shape `[-1, 1]`, and the outputs: the
 * prediction, or a classifier's label and probabilities (see {@link oipOutputs}).
 *
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md#model-metadata-response-json-object
 */
export function modelMetadata(
  model: Pick<ServedModel, 'schema' | 'outputs'> & Partial<Pick<ServedModel, 'task'>>,
): ModelMetadata {
  const { schema } = model;
  return {
    name: schema.model.name,
    versions: [schema.model.version],
    platform,
    inputs: schema.fields.map((field) => ({
      name: field.name,
      datatype: fieldDatatype(schema, field),
      shape: [-1, 1],
    })),
    outputs: oipOutputs(model).map((output) => ({
      name: output.name,
      datatype: output.datatype,
      shape: [-1, ...output.innerShape],
    })),
  };
}

/**
 * The model metadata's `parameters` (OIP `$parameters`, scalar values): how `POST /explain`
 * explains the served version (`explain_method` `none` with `explain_unavailable` saying why).
 */
export function explainParameters(summary: ExplainSummary): Record<string, string | number> {
  if (summary.method === 'none') {
    return { explain_method: 'none', explain_unavailable: summary.reason };
  }
  return {
    explain_method: summary.method,
    explain_space: summary.space,
    explain_background_rows: summary.backgroundRows,
  };
}
