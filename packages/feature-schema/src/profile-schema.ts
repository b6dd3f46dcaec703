import { z } from 'zod';

const name = z.string().min(1);
/** Shares of the training rows per bin: each in [0, 1], summing to 1 (rounding aside). */
const shares = z
  .array(z.number().min(0).max(1))
  .min(1)
  .refine((s) => Math.abs(s.reduce((a, b) => a + b, 0) - 1) < 1e-3, 'shares must sum to 1');
/**
 * Inner bin edges, strictly ascending: k edges make k+1 bins, `(-inf, e0)`, `[e0, e1)`, ...,
 * `[e(k-1), +inf)`: the first and last bins are open-ended, so every value has a bin.
 */
const edges = z
  .array(z.number())
  .refine((e) => e.every((x, i) => i === 0 || x > (e[i - 1] as number)), 'edges must ascend');

/** A numeric distribution: inner edges and the training share of each of their bins. */
export const numericProfileSchema = z.strictObject({
  kind: z.literal('numeric'),
  edges,
  shares,
});

/** A categorical field's profile: the share of each level, in the schema's level order. */
export const categoricalProfileSchema = z.strictObject({
  kind: z.literal('categorical'),
  levels: z.array(name).min(1),
  shares,
});

/** A classifier's predictions: the share of each predicted class, in the model's class order. */
export const classesProfileSchema = z.strictObject({
  kind: z.literal('classes'),
  classes: z.union([z.array(name).min(1), z.array(z.number().int()).min(1)]),
  shares,
});

const sameLength = (p: {
  edges?: readonly number[];
  levels?: readonly unknown[];
  classes?: readonly unknown[];
  shares: readonly number[];
}) =>
  p.edges !== undefined
    ? p.shares.length === p.edges.length + 1
    : p.shares.length === (p.levels ?? p.classes ?? []).length;

/**
 * `profile.json`: what the training data looked like, beside `schema.json` in a model
 * directory. Outside the fingerprint: a profile can be added to, or refreshed in, a stamped
 * model directory. The service compares live traffic with it (population stability index).
 */
export const profileSchema = z.strictObject({
  profileVersion: z.literal(1),
  /** The fingerprint of the schema it was made for; a profile of another schema is ignored. */
  schemaFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** Training rows it was made from. */
  rows: z.number().int().positive(),
  /** One entry per schema field, keyed by field name. */
  fields: z.record(
    name,
    z
      .discriminatedUnion('kind', [numericProfileSchema, categoricalProfileSchema])
      .refine(sameLength, 'needs one share per bin (edges + 1) or per level'),
  ),
  /**
   * A deterministic sample of the training rows themselves (validated records): the
   * background that `/explain` computes contributions against. Training data that ships with
   * the model; absent when none was asked for (`--background-rows 0`).
   */
  background: z.array(z.record(name, z.union([z.number(), z.string()]))).optional(),
  /** The model's predictions on the training rows: value bins (regression) or class shares. */
  prediction: z
    .discriminatedUnion('kind', [numericProfileSchema, classesProfileSchema])
    .refine(sameLength, 'needs one share per bin (edges + 1) or per class'),
});

/** `profile.json`, parsed. */
export type Profile = z.infer<typeof profileSchema>;
/** One numeric distribution (a numeric field, or a regression model's predictions). */
export type NumericProfile = z.infer<typeof numericProfileSchema>;
/** One categorical field's level shares. */
export type CategoricalProfile = z.infer<typeof categoricalProfileSchema>;
/** A classifier's predicted class shares. */
export type ClassesProfile = z.infer<typeof classesProfileSchema>;

/** Thrown by {@link parseProfile}, naming every bad path. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

/**
 * Validates a `profile.json` document and returns it typed.
 * @throws {ProfileError} naming every bad path, e.g. `fields.bmi.shares: shares must sum to 1`.
 */
export function parseProfile(json: unknown): Profile {
  const result = profileSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ProfileError(
    `invalid profile: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  );
}
