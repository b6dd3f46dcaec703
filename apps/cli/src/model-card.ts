import type { ClassLabel, ModelSchema } from '@modelship/feature-schema';

/** Facts about the imported model for its card. */
export interface CardFacts {
  readonly source: string;
  readonly sourceSha256: string;
  readonly data?: string;
  /** Training rows `profile.json` keeps as the background of `/explain`. */
  readonly backgroundRows?: number;
  readonly classes?: readonly ClassLabel[];
}

/** A model card stub: what `init` knows, and headings for what only the model's owner knows. */
export function modelCardStub(schema: ModelSchema, facts: CardFacts): string {
  const fields = schema.fields
    .map((f) =>
      f.kind === 'numeric'
        ? `| \`${f.name}\` | numeric (${f.dtype}) | ${f.min ?? ''} .. ${f.max ?? ''} |`
        : `| \`${f.name}\` | categorical | ${f.levels.join(', ')} |`,
    )
    .join('\n');
  const task =
    schema.task === 'classification'
      ? `classification; classes: ${(facts.classes ?? []).map(String).join(', ')}`
      : 'regression';
  return `# ${schema.model.name} ${schema.model.version}

Imported by \`modelship init\` from \`${facts.source}\` (sha256 \`${facts.sourceSha256}\`)${facts.data ? `, with ranges and levels from \`${facts.data}\`` : ''}.

- Task: ${task}; predicts \`${schema.target.name}\`.
- \`model.onnx\` carries the fingerprint of \`schema.json\`: after editing \`schema.json\`, run
  \`modelship stamp DIR\`.
${facts.backgroundRows ? `- \`profile.json\` keeps ${facts.backgroundRows} rows of \`${facts.data ?? 'the training data'}\` as the background of \`POST /explain\`: this training data ships with the model.\n` : ''}
## Inputs

| field | kind | values |
| --- | --- | --- |
${fields}

## To complete

- Intended use and users:
- Training data (source, period, size):
- Evaluation (metrics, on what data):
- Limitations and known failure modes:
`;
}
