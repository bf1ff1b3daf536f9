/** A KMS key that other constructs encrypt with (an `AppKey` satisfies this). */
export interface KeyReference {
  /** ARN of the customer-managed key. */
  readonly keyArn: string;
}

/** An IAM role another construct grants permissions to. */
export interface RoleReference {
  readonly roleArn: string;
  readonly roleName: string;
}

/** What workloads need of a network (a `Network` satisfies this). */
export interface NetworkReference {
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
}
