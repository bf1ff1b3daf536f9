import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Construct } from "constructs";
import { invalid, isUnresolved } from "../core/validation";

/** An IAM role name with an optional path; `*` may stand for a generated suffix (IAM Identity Center roles). */
const ROLE_NAME = /^([\w+=,.@*-]+\/)*[\w+=,.@*-]{1,64}$/;

/** Properties of {@link AccessRoles}. */
export interface AccessRolesProps {
  /**
   * Role (name, with its path if it has one) that people use to set secret values: it may write
   * values and move staging labels of the environment's secrets. For an IAM Identity Center
   * permission set: `aws-reserved/sso.amazonaws.com/AWSReservedSSO_<permission set>_*`.
   */
  readonly operatorRoleName: string;
  /**
   * Role an administrator assumes in an emergency: the only one that may change a secret's
   * resource policy or delete a secret, and the one that applies changes the CI deploy role may not.
   */
  readonly breakGlassRoleName: string;
}

/**
 * The human roles of an environment, as ARN patterns in this account. The roles exist outside this
 * repository (IAM or IAM Identity Center); policies here refer to them by `aws:PrincipalArn`.
 */
export class AccessRoles extends Construct {
  /** ARN (pattern) of the operator role. */
  public readonly operatorRoleArn: string;
  /** ARN (pattern) of the break-glass role. */
  public readonly breakGlassRoleArn: string;

  constructor(scope: Construct, id: string, props: AccessRolesProps) {
    super(scope, id);
    for (const [field, value] of [
      ["operatorRoleName", props.operatorRoleName],
      ["breakGlassRoleName", props.breakGlassRoleName],
    ] as const) {
      if (!isUnresolved(value) && (!ROLE_NAME.test(value) || value.startsWith("arn:"))) {
        throw invalid(
          field,
          "must be an IAM role name, with its path if it has one (letters, digits, +=,.@_- and *), not an ARN",
          value,
          "Use the role's name as IAM shows it, for example meeting-notes-operator or aws-reserved/sso.amazonaws.com/AWSReservedSSO_Operator_*.",
        );
      }
    }
    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const arn = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;
    this.operatorRoleArn = arn(props.operatorRoleName);
    this.breakGlassRoleArn = arn(props.breakGlassRoleName);
  }
}
