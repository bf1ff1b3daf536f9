import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Aspects, type IAspect } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { type PolicyStatement, policyDocument } from "../internal/iam";
import { type ResourceNaming, resourceName } from "../internal/naming";

/** Role writes that must keep the boundary on the role they change (`iam:PermissionsBoundary`). */
export const BOUNDED_ROLE_WRITE_ACTIONS: readonly string[] = [
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
];

/** Every change to a role (used to protect the CI roles). */
export const ROLE_WRITE_ACTIONS: readonly string[] = [
  ...BOUNDED_ROLE_WRITE_ACTIONS,
  "iam:DeleteRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:UpdateAssumeRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PassRole",
];

/** The IAM actions any role under the boundary may ever use (its identity policies narrow them). */
const IAM_ACTIONS_WITHIN_BOUNDARY: readonly string[] = [
  "iam:Get*",
  "iam:List*",
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PassRole",
  "iam:CreateServiceLinkedRole",
];

/** Properties of {@link PermissionsBoundary}. */
export interface PermissionsBoundaryProps {
  /** The policy is `<project>-<env>-permissions-boundary`. */
  readonly naming: ResourceNaming;
  /**
   * Value of the `Environment` tag this environment's resources carry: resources tagged with any
   * other value are out of bounds, and so is tagging a resource with another value.
   */
  readonly environmentTag: string;
  /** Roles under the boundary may not change these roles at all (the CI roles). */
  readonly protectedRoleNames: readonly string[];
}

/**
 * The ceiling of every role of an environment: a managed policy used as the permissions boundary of
 * each role the environment creates, the CI roles included. Whatever a role's own policies allow,
 * it can never:
 *
 * - use IAM beyond reading and managing roles (no users, groups, access keys or policies of its own);
 * - create a role, or change a role's policies, unless that role carries this same boundary
 *   (`iam:PermissionsBoundary`), nor take the boundary off a role, nor edit this policy;
 * - change the protected (CI) roles;
 * - touch resources tagged with another `Environment`, or tag anything with another one;
 * - use Organizations or the account's settings.
 *
 * So the CI deploy role cannot make itself or anything it creates administrator: every path ends at
 * this ceiling. Apply it with {@link PermissionsBoundary.applyToRolesIn}.
 */
export class PermissionsBoundary extends Construct {
  /** ARN of the boundary policy. */
  public readonly policyArn: string;
  /** Name of the boundary policy. */
  public readonly policyName: string;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    this.policyName = resourceName(props.naming, "permissions-boundary");
    // Built from the name, not the resource's ARN attribute: the policy refers to itself.
    this.policyArn = `arn:${partition}:iam::${account}:policy/${this.policyName}`;
    const roleArn = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;

    const statements: PolicyStatement[] = [
      // The ceiling: a boundary allows only what its Allow statements allow.
      {
        sid: "CeilingEverythingButIamOrganizationsAccount",
        notActions: ["iam:*", "organizations:*", "account:*"],
        resources: ["*"],
      },
      { sid: "CeilingRoleManagementOnly", actions: IAM_ACTIONS_WITHIN_BOUNDARY, resources: ["*"] },
      {
        sid: "DenyRoleWritesWithoutThisBoundary",
        effect: "Deny",
        actions: BOUNDED_ROLE_WRITE_ACTIONS,
        resources: ["*"],
        conditions: { StringNotEquals: { "iam:PermissionsBoundary": this.policyArn } },
      },
      {
        sid: "DenyRemovingBoundaries",
        effect: "Deny",
        actions: ["iam:DeleteRolePermissionsBoundary"],
        resources: ["*"],
      },
      {
        sid: "DenyEditingThisBoundary",
        effect: "Deny",
        actions: [
          "iam:CreatePolicyVersion",
          "iam:DeletePolicy",
          "iam:DeletePolicyVersion",
          "iam:SetDefaultPolicyVersion",
          "iam:TagPolicy",
          "iam:UntagPolicy",
        ],
        resources: [this.policyArn],
      },
      ...(props.protectedRoleNames.length > 0
        ? [
            {
              sid: "DenyChangingProtectedRoles",
              effect: "Deny" as const,
              actions: ROLE_WRITE_ACTIONS,
              resources: props.protectedRoleNames.map(roleArn),
            },
          ]
        : []),
      {
        sid: "DenyResourcesOfOtherEnvironments",
        effect: "Deny",
        actions: ["*"],
        resources: ["*"],
        conditions: {
          StringNotEquals: { "aws:ResourceTag/Environment": props.environmentTag },
          Null: { "aws:ResourceTag/Environment": "false" },
        },
      },
      {
        sid: "DenyTaggingForOtherEnvironments",
        effect: "Deny",
        actions: ["*"],
        resources: ["*"],
        conditions: {
          StringNotEquals: { "aws:RequestTag/Environment": props.environmentTag },
          Null: { "aws:RequestTag/Environment": "false" },
        },
      },
    ];

    new IamPolicy(this, "policy", {
      name: this.policyName,
      description: `Permissions boundary of every ${props.naming.projectName} ${props.naming.environment} role; only an administrator may change it`,
      policy: policyDocument(statements),
    });
  }

  /** Sets this boundary on every IAM role in `scope` (at synth, so roles added later are covered too). */
  public applyToRolesIn(scope: IConstruct): void {
    const arn = this.policyArn;
    const aspect: IAspect = {
      visit(node: IConstruct) {
        if (node instanceof IamRole && node.permissionsBoundaryInput === undefined)
          node.permissionsBoundary = arn;
      },
    };
    Aspects.of(scope).add(aspect);
  }
}
