import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { Construct } from "constructs";
import { stateKeyAlias } from "./terraform-state-store";

/** Properties of {@link StateKey}. */
export interface StateKeyProps {
  /** The state bucket whose key to find (the key's alias derives from it). */
  readonly bucketName: string;
}

/**
 * The state stack's KMS key, looked up by its alias, for policies that must name the key's ARN
 * (an alias ARN does not match `kms:Decrypt` requests).
 */
export class StateKey extends Construct {
  /** ARN of the state key. */
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: StateKeyProps) {
    super(scope, id);
    this.keyArn = new DataAwsKmsAlias(this, "alias", { name: stateKeyAlias(props.bucketName) }).targetKeyArn;
  }
}
