import type { MatrixFeature } from '@modelship/feature-schema';

/**
 * The engineered features of the insurance model, in the vocabulary of the schema's matrix
 * layout. Charges grow with age faster than linearly, and smoking costs far more with
 * obesity (BMI >= 30, the WHO threshold) than without: hence age², smoker × BMI and
 * smoker × obese. Reference levels (female, no, northeast) are dropped.
 */
export const insuranceFeatures: readonly MatrixFeature[] = [
  { kind: 'numeric', field: 'age' },
  {
    kind: 'product',
    of: [
      { kind: 'numeric', field: 'age' },
      { kind: 'numeric', field: 'age' },
    ],
  },
  { kind: 'numeric', field: 'bmi' },
  { kind: 'numeric', field: 'children' },
  { kind: 'one-hot', field: 'sex', level: 'male' },
  { kind: 'one-hot', field: 'smoker', level: 'yes' },
  {
    kind: 'product',
    of: [
      { kind: 'one-hot', field: 'smoker', level: 'yes' },
      { kind: 'numeric', field: 'bmi' },
    ],
  },
  { kind: 'threshold', field: 'bmi', min: 30 },
  {
    kind: 'product',
    of: [
      { kind: 'one-hot', field: 'smoker', level: 'yes' },
      { kind: 'threshold', field: 'bmi', min: 30 },
    ],
  },
  { kind: 'one-hot', field: 'region', level: 'northwest' },
  { kind: 'one-hot', field: 'region', level: 'southeast' },
  { kind: 'one-hot', field: 'region', level: 'southwest' },
];

/** A short, human-readable name of a feature (`age*age`, `smoker=yes*bmi>=30`). */
export function featureName(feature: MatrixFeature): string {
  switch (feature.kind) {
    case 'numeric':
      return feature.field;
    case 'one-hot':
      return `${feature.field}=${feature.level}`;
    case 'threshold':
      return `${feature.field}>=${feature.min}`;
    case 'product':
      return feature.of.map(featureName).join('*');
  }
}
