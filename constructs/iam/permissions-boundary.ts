import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Aspects, type IAspect } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";

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
  /**
   * The Terraform workspace of the environment: every role it creates carries it as the
   * `TerraformWorkspace` tag, which the state bucket's policy keys each role's state objects on.
   */
  readonly workspace: string;
  /** The shared state store: administering it is out of bounds, and only this workspace's lock items are in. */
  readonly state: {
    readonly bucketName: string;
    readonly lockTableName: string;
    readonly keyArn: string;
    /** `LockID`s of this environment's lock items (`<bucket>/<state key>` and its `-md5`). */
    readonly lockIds: readonly string[];
  };
  /**
   * DNS names (lower case, no trailing dot, `*` for any label run) whose records roles under the boundary
   * may change in Route 53; every other record is out of bounds (a shared zone holds other environments').
   * @default - none: no record may be changed
   */
  readonly dnsNames?: readonly string[];
  /** AWS services roles under the boundary may create service-linked roles for. */
  readonly serviceLinkedRoleServices: readonly string[];
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
 * - touch resources tagged with another `Environment`, or tag anything with another one (or
 *   another `TerraformWorkspace`), create a role without both tags, or change them on a role;
 * - pass a role of another environment to a service, or assume any role;
 * - administer the shared state store (bucket, lock table, key), or touch another workspace's lock items;
 * - change a Route 53 record outside the environment's own DNS names;
 * - create service-linked roles beyond a list, or use Organizations or the account's settings.
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
    this.policyName = limitedName(NAME_LIMITS.iamPolicy, props.naming, "permissions-boundary");
    // Built from the name, not the resource's ARN attribute: the policy refers to itself.
    this.policyArn = `arn:${partition}:iam::${account}:policy/${this.policyName}`;
    const roleArn = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;
    const bucketArn = `arn:${partition}:s3:::${props.state.bucketName}`;
    const tableArn = `arn:${partition}:dynamodb:*:${account}:table/${props.state.lockTableName}`;

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
      {
        sid: "DenyTaggingForOtherWorkspaces",
        effect: "Deny",
        actions: ["*"],
        resources: ["*"],
        conditions: {
          StringNotEquals: { "aws:RequestTag/TerraformWorkspace": props.workspace },
          Null: { "aws:RequestTag/TerraformWorkspace": "false" },
        },
      },
      // Every role carries both tags from its creation on, and keeps them: the state bucket's policy
      // and the PassRole fence below rely on them.
      {
        sid: "DenyRolesWithoutTheWorkspaceTag",
        effect: "Deny",
        actions: ["iam:CreateRole"],
        resources: ["*"],
        conditions: { StringNotEquals: { "aws:RequestTag/TerraformWorkspace": props.workspace } },
      },
      {
        sid: "DenyRolesWithoutTheEnvironmentTag",
        effect: "Deny",
        actions: ["iam:CreateRole"],
        resources: ["*"],
        conditions: { StringNotEquals: { "aws:RequestTag/Environment": props.environmentTag } },
      },
      {
        sid: "DenyChangingTheWorkspaceTags",
        effect: "Deny",
        actions: ["iam:TagRole", "iam:UntagRole"],
        resources: ["*"],
        conditions: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["Environment", "TerraformWorkspace"] } },
      },
      // Only this environment's roles may be handed to a service, and no role may be assumed: every
      // path to another role's permissions ends here.
      {
        sid: "DenyPassingOtherRoles",
        effect: "Deny",
        actions: ["iam:PassRole"],
        resources: ["*"],
        conditions: { StringNotEquals: { "aws:ResourceTag/Environment": props.environmentTag } },
      },
      {
        sid: "DenyAssumingRoles",
        effect: "Deny",
        actions: [
          "sts:AssumeRole",
          "sts:AssumeRoleWithSAML",
          "sts:AssumeRoleWithWebIdentity",
          "sts:AssumeRoot",
        ],
        resources: ["*"],
      },
      {
        sid: "DenyOtherServiceLinkedRoles",
        effect: "Deny",
        actions: ["iam:CreateServiceLinkedRole"],
        resources: ["*"],
        conditions: { StringNotEquals: { "iam:AWSServiceName": [...props.serviceLinkedRoleServices] } },
      },
      // The account baseline (constructs/baseline) is the account's, not an environment's: its trail,
      // detector and hub may be read, never turned off.
      {
        sid: "DenyTurningOffTheAccountBaseline",
        effect: "Deny",
        actions: [
          "cloudtrail:StopLogging",
          "cloudtrail:DeleteTrail",
          "cloudtrail:UpdateTrail",
          "cloudtrail:Put*",
          "guardduty:Delete*",
          "guardduty:Update*",
          "guardduty:Disassociate*",
          "securityhub:Disable*",
          "securityhub:BatchDisableStandards",
          "securityhub:Update*",
          "config:Stop*",
          "config:Delete*",
        ],
        resources: ["*"],
      },
      // The state store is shared by every environment: using it is in bounds, administering it is not.
      {
        sid: "DenyAdministeringTheStateStore",
        effect: "Deny",
        notActions: [
          "s3:GetObject*",
          "s3:PutObject*",
          "s3:DeleteObject*",
          "s3:ListBucket*",
          "s3:GetBucketLocation",
          "dynamodb:DescribeTable",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:DeleteItem",
          "kms:Encrypt",
          "kms:Decrypt",
          "kms:GenerateDataKey*",
          "kms:DescribeKey",
        ],
        resources: [bucketArn, `${bucketArn}/*`, tableArn, props.state.keyArn],
      },
      {
        sid: "DenyOtherWorkspacesLockItems",
        effect: "Deny",
        actions: [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:BatchGetItem",
          "dynamodb:BatchWriteItem",
          "dynamodb:ConditionCheckItem",
        ],
        resources: [tableArn],
        conditions: { "ForAnyValue:StringNotLike": { "dynamodb:LeadingKeys": [...props.state.lockIds] } },
      },
      {
        sid: "DenyReadingEveryLockItem",
        effect: "Deny",
        actions: [
          "dynamodb:Scan",
          "dynamodb:Query",
          "dynamodb:PartiQL*",
          "dynamodb:ExportTableToPointInTime",
        ],
        resources: [tableArn],
      },
      {
        sid: "DenyOtherDnsRecords",
        effect: "Deny",
        actions: ["route53:ChangeResourceRecordSets"],
        resources: ["*"],
        ...((props.dnsNames ?? []).length > 0
          ? {
              conditions: {
                "ForAnyValue:StringNotLike": {
                  "route53:ChangeResourceRecordSetsNormalizedRecordNames": [...props.dnsNames!],
                },
              },
            }
          : {}),
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
