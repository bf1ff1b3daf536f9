import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { Construct } from "constructs";
import { invalid } from "../core/validation";

/** Properties of a {@link WorkspaceGuard}. */
export interface WorkspaceGuardProps {
  /** The only Terraform workspace this stack may be planned or applied in. */
  readonly workspace: string;
  /**
   * The stack's directory under `cdktf.out/stacks/`, used in the error message's command.
   * @default - the workspace name
   */
  readonly stackName?: string;
}

/**
 * Makes `terraform plan` and `apply` fail in any workspace but the expected one.
 *
 * The check is a lifecycle postcondition on the caller-identity data source, so Terraform itself
 * enforces it before any resource changes, and the message names the command that fixes it.
 * The data source doubles as the stack's account lookup.
 */
export class WorkspaceGuard extends Construct {
  /** The workspace the stack must run in. */
  public readonly workspace: string;
  /** The AWS account id the stack runs against. */
  public readonly accountId: string;
  /** The caller-identity data source that carries the guard. */
  public readonly callerIdentity: DataAwsCallerIdentity;

  constructor(scope: Construct, id: string, props: WorkspaceGuardProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(props.workspace)) {
      throw invalid(
        "workspace",
        "must be a Terraform workspace name (lowercase letters, digits, _ and -)",
        props.workspace,
        "Use the environment's name, for example staging.",
      );
    }
    const stackName = props.stackName ?? props.workspace;
    this.workspace = props.workspace;
    this.callerIdentity = new DataAwsCallerIdentity(this, "current", {
      lifecycle: {
        postcondition: [
          {
            condition: `\${terraform.workspace == "${props.workspace}"}`,
            errorMessage:
              `Stack "${stackName}" must run in Terraform workspace "${props.workspace}", ` +
              `but the selected workspace is a different one. Run: terraform -chdir=cdktf.out/stacks/${stackName} ` +
              `workspace select -or-create ${props.workspace} (or set TF_WORKSPACE=${props.workspace}).`,
          },
        ],
      },
    });
    this.accountId = this.callerIdentity.accountId;
  }
}
