import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../internal/iam";
import { type ResourceNaming, resourceName } from "../internal/naming";
import { suppress } from "../internal/suppressions";
import { invalid, isUnresolved } from "../internal/validation";

/** Issuer URL of GitHub Actions' OIDC tokens; the account's IAM OIDC provider has this URL. */
export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
/** Audience GitHub Actions requests for AWS (`aws-actions/configure-aws-credentials`). */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

const CLAIM = "token.actions.githubusercontent.com";
const GITHUB_REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const GITHUB_ENVIRONMENT = /^[A-Za-z0-9_.-]{1,255}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** Service-linked roles the environment's resources need AWS to create on first use. */
const SERVICE_LINKED_ROLE_SERVICES = [
  "ecs.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
  "grafana.amazonaws.com",
  "autoscaling.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
];

/** IAM actions on the environment's own roles that a deploy needs (create, read, update, delete). */
const ROLE_ACTIONS = [
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:GetRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:UpdateAssumeRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:ListRoleTags",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:GetRolePolicy",
  "iam:ListRolePolicies",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:ListInstanceProfilesForRole",
];

/** Write actions that the deploy role may never perform on the CI roles themselves. */
const CI_ROLE_WRITE_ACTIONS = [
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:UpdateAssumeRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PassRole",
];

const POLICY_ACTIONS = [
  "iam:CreatePolicy",
  "iam:DeletePolicy",
  "iam:GetPolicy",
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:GetPolicyVersion",
  "iam:ListPolicyVersions",
  "iam:TagPolicy",
  "iam:UntagPolicy",
  "iam:ListPolicyTags",
];

const INSTANCE_PROFILE_ACTIONS = [
  "iam:CreateInstanceProfile",
  "iam:DeleteInstanceProfile",
  "iam:GetInstanceProfile",
  "iam:AddRoleToInstanceProfile",
  "iam:RemoveRoleFromInstanceProfile",
  "iam:TagInstanceProfile",
  "iam:UntagInstanceProfile",
];

/** Properties of {@link GithubDeployRoles}. */
export interface GithubDeployRolesProps {
  /** Project and environment: the roles are `<project>-<env>-ci-plan` and `<project>-<env>-ci-deploy`. */
  readonly naming: ResourceNaming;
  /** GitHub repository allowed to assume the roles, as `owner/name`. */
  readonly githubRepository: string;
  /**
   * GitHub Actions environment whose jobs may assume the deploy role (the seed's
   * `github_environment`, for example `staging`; prod uses `sandbox`).
   */
  readonly githubEnvironment: string;
  /** Name of the Terraform state bucket. */
  readonly stateBucketName: string;
  /** Name of the DynamoDB table Terraform locks states in. */
  readonly lockTableName: string;
  /**
   * ARN of the KMS key that encrypts the state bucket and lock table (the `state` stack's
   * `state_kms_key_arn` output).
   * @default - KMS use is granted on this account's keys, but only through S3 and DynamoDB
   * (`kms:ViaService`)
   */
  readonly stateKmsKeyArn?: string;
}

/**
 * Two IAM roles that GitHub Actions jobs assume through the account's GitHub OIDC provider (created
 * once per account by the `state` stack, looked up here by its URL):
 *
 * - `<project>-<env>-ci-plan`: any workflow run of the repository (pull requests, pushes, any
 *   environment) may assume it. `ReadOnlyAccess`, plus the state access a plan needs: reading state,
 *   and writing and deleting the lock (`.tflock` objects with `use_lockfile`, items in the
 *   DynamoDB lock table).
 * - `<project>-<env>-ci-deploy`: only jobs running in the GitHub environment
 *   {@link GithubDeployRolesProps.githubEnvironment} (whose protection rules decide who deploys) may
 *   assume it. `PowerUserAccess` (everything but IAM, Organizations and Account), plus IAM limited to
 *   roles, policies and instance profiles named `<project>-<env>-*`, `iam:PassRole` on those roles
 *   only, the service-linked roles the environment uses, and the state access.
 *
 * The deploy role may not change or pass the CI roles themselves (`<project>-<env>-ci-*`), so a
 * workflow cannot widen its own permissions: changes to these roles are applied by an administrator.
 * The name scope limits what a deploy can touch to this environment; it is not a permissions
 * boundary (a deploy can still give an environment role wide permissions).
 *
 * Sessions last at most one hour.
 */
export class GithubDeployRoles extends Construct {
  /** ARN of the plan role: the GitHub repository variable `AWS_PLAN_ROLE_ARN_<ENV>` (for example `AWS_PLAN_ROLE_ARN_STAGING`). */
  readonly planRoleArn: string;
  /** ARN of the deploy role: the GitHub environment variable `AWS_DEPLOY_ROLE_ARN`. */
  readonly deployRoleArn: string;
  /** Name of the plan role: `<project>-<env>-ci-plan`. */
  readonly planRoleName: string;
  /** Name of the deploy role: `<project>-<env>-ci-deploy`. */
  readonly deployRoleName: string;

  constructor(scope: Construct, id: string, props: GithubDeployRolesProps) {
    super(scope, id);
    validate(props);

    const partition = new DataAwsPartition(this, "partition").partition;
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const provider = new DataAwsIamOpenidConnectProvider(this, "github-oidc-provider", {
      url: GITHUB_OIDC_URL,
    });
    const iamArn = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
    const managedPolicy = (name: string) => `arn:${partition}:iam::aws:policy/${name}`;
    const prefix = resourceName(props.naming);

    this.planRoleName = resourceName(props.naming, "ci", "plan");
    const planRole = new IamRole(this, "plan-role", {
      name: this.planRoleName,
      description: `GitHub Actions plans of ${props.githubRepository} (${prefix})`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trustPolicy(provider.arn, "StringLike", `repo:${props.githubRepository}:*`),
    });
    new IamRolePolicyAttachment(this, "plan-read-only", {
      role: planRole.name,
      policyArn: managedPolicy("ReadOnlyAccess"),
    });
    new IamRolePolicy(this, "plan-state-access", {
      name: "terraform-state",
      role: planRole.id,
      policy: statePolicy(props, partition, accountId, "plan"),
    });

    this.deployRoleName = resourceName(props.naming, "ci", "deploy");
    const deployRole = new IamRole(this, "deploy-role", {
      name: this.deployRoleName,
      description: `GitHub Actions deploys of ${props.githubRepository} in environment ${props.githubEnvironment} (${prefix})`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trustPolicy(
        provider.arn,
        "StringEquals",
        `repo:${props.githubRepository}:environment:${props.githubEnvironment}`,
      ),
    });
    const powerUser = new IamRolePolicyAttachment(this, "deploy-power-user", {
      role: deployRole.name,
      policyArn: managedPolicy("PowerUserAccess"),
    });
    suppress(
      powerUser,
      "IAM-008",
      "terraform apply of the environment stack creates resources across a dozen services; PowerUserAccess excludes IAM, " +
        "which the deploy role gets only for <project>-<env>-* roles, and only this repository's protected GitHub environment can assume it",
    );
    new IamRolePolicy(this, "deploy-state-access", {
      name: "terraform-state",
      role: deployRole.id,
      policy: statePolicy(props, partition, accountId, "deploy"),
    });
    new IamRolePolicy(this, "deploy-iam-access", {
      name: "environment-iam",
      role: deployRole.id,
      policy: policyDocument([
        { sid: "ManageEnvironmentRoles", actions: ROLE_ACTIONS, resources: [iamArn(`role/${prefix}-*`)] },
        { sid: "PassEnvironmentRoles", actions: ["iam:PassRole"], resources: [iamArn(`role/${prefix}-*`)] },
        {
          sid: "ManageEnvironmentPolicies",
          actions: POLICY_ACTIONS,
          resources: [iamArn(`policy/${prefix}-*`)],
        },
        {
          sid: "ManageEnvironmentInstanceProfiles",
          actions: INSTANCE_PROFILE_ACTIONS,
          resources: [iamArn(`instance-profile/${prefix}-*`)],
        },
        {
          sid: "CreateServiceLinkedRoles",
          actions: ["iam:CreateServiceLinkedRole"],
          resources: [iamArn("role/aws-service-role/*")],
          conditions: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
        },
        // The stacks look the OIDC provider up by URL (`data aws_iam_openid_connect_provider`).
        {
          sid: "ReadGithubOidcProvider",
          actions: ["iam:GetOpenIDConnectProvider"],
          resources: [iamArn("oidc-provider/token.actions.githubusercontent.com")],
        },
        { sid: "ListOidcProviders", actions: ["iam:ListOpenIDConnectProviders"], resources: ["*"] },
        {
          sid: "ProtectCiRoles",
          effect: "Deny",
          actions: CI_ROLE_WRITE_ACTIONS,
          resources: [iamArn(`role/${prefix}-ci-*`)],
        },
      ]),
    });

    this.planRoleArn = planRole.arn;
    this.deployRoleArn = deployRole.arn;
  }
}

/** Trust in the account's GitHub OIDC provider, for tokens meant for AWS with the given subject. */
function trustPolicy(
  providerArn: string,
  subjectOperator: "StringEquals" | "StringLike",
  subject: string,
): string {
  const audience = { [`${CLAIM}:aud`]: GITHUB_OIDC_AUDIENCE };
  const conditions: PolicyStatement["conditions"] =
    subjectOperator === "StringEquals"
      ? { StringEquals: { ...audience, [`${CLAIM}:sub`]: subject } }
      : { StringEquals: audience, StringLike: { [`${CLAIM}:sub`]: subject } };
  return policyDocument([
    { actions: ["sts:AssumeRoleWithWebIdentity"], principals: { Federated: providerArn }, conditions },
  ]);
}

/**
 * State access in the bucket, the lock table and with the state key. `plan` reads states and writes
 * only lock files (`*.tflock`); `deploy` also writes states.
 */
function statePolicy(
  props: GithubDeployRolesProps,
  partition: string,
  accountId: string,
  mode: "plan" | "deploy",
): string {
  const bucketArn = `arn:${partition}:s3:::${props.stateBucketName}`;
  const kmsActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"];
  const kms: PolicyStatement = props.stateKmsKeyArn
    ? { sid: "UseStateKey", actions: kmsActions, resources: [props.stateKmsKeyArn] }
    : {
        sid: "UseStateKeyThroughS3AndDynamoDb",
        actions: kmsActions,
        resources: [`arn:${partition}:kms:*:${accountId}:key/*`],
        conditions: { StringLike: { "kms:ViaService": ["s3.*", "dynamodb.*"] } },
      };
  return policyDocument([
    { sid: "ListStateBucket", actions: ["s3:ListBucket"], resources: [bucketArn] },
    ...(mode === "deploy"
      ? [
          {
            sid: "ReadWriteStatesAndLockFiles",
            actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources: [`${bucketArn}/*`],
          },
        ]
      : [
          { sid: "ReadStates", actions: ["s3:GetObject"], resources: [`${bucketArn}/*`] },
          {
            sid: "WriteLockFiles",
            actions: ["s3:PutObject", "s3:DeleteObject"],
            resources: [`${bucketArn}/*.tflock`],
          },
        ]),
    {
      sid: "UseLockTable",
      actions: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      resources: [`arn:${partition}:dynamodb:*:${accountId}:table/${props.lockTableName}`],
    },
    kms,
  ]);
}

function validate(props: GithubDeployRolesProps): void {
  if (!isUnresolved(props.githubRepository) && !GITHUB_REPOSITORY.test(props.githubRepository)) {
    throw invalid(
      "githubRepository",
      "must be a GitHub repository as owner/name (letters, digits, _, . and -)",
      props.githubRepository,
      "Use the repository's path on github.com, for example example-org/meeting-notes.",
    );
  }
  if (!isUnresolved(props.githubEnvironment) && !GITHUB_ENVIRONMENT.test(props.githubEnvironment)) {
    throw invalid(
      "githubEnvironment",
      "must be a GitHub Actions environment name of 1 to 255 letters, digits, _, . and - (it is matched exactly in the OIDC subject)",
      props.githubEnvironment,
      "Use the environment's name as shown under Settings > Environments, for example staging.",
    );
  }
  if (
    props.stateKmsKeyArn !== undefined &&
    !isUnresolved(props.stateKmsKeyArn) &&
    !KMS_KEY_ARN.test(props.stateKmsKeyArn)
  ) {
    throw invalid(
      "stateKmsKeyArn",
      "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias",
      props.stateKmsKeyArn,
      "Use the state stack's state_kms_key_arn output, or leave it out.",
    );
  }
}
