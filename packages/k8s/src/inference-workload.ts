import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** Props for {@link InferenceWorkload}. */
export interface InferenceWorkloadProps {
  /** Container image of the inference service. */
  readonly image: string;
}

/** The inference service's pods, deployment and service. */
export class InferenceWorkload extends Construct {
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: InferenceWorkloadProps) {
    super(scope, id);
    this.deployment = new kplus.Deployment(this, 'deployment', {
      containers: [
        {
          name: 'inference',
          image: props.image,
          portNumber: 8080,
          securityContext: { user: 10001, group: 10001 },
        },
      ],
    });
  }
}
