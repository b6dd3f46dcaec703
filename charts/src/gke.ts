import { InferenceWorkload } from '@modelship/k8s';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';

/** Props for {@link GkeChart}. */
export interface GkeChartProps extends ChartProps {
  /** Inference image, in Artifact Registry form. */
  readonly image: string;
}

/** The production deployment on GKE. */
export class GkeChart extends Chart {
  constructor(scope: Construct, id: string, props: GkeChartProps) {
    super(scope, id, props);
    new InferenceWorkload(this, 'insurance', { image: props.image });
  }
}
