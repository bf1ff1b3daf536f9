import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, isUnresolved } from "../core/validation";
import { PermissionsBoundary } from "../iam";

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

/** Reading a role, for refreshes of every role of the stack (the CI roles included). */
const ROLE_READ_ACTIONS = [
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:ListRolePolicies",
  "iam:ListAttachedRolePolicies",
  "iam:ListRoleTags",
  "iam:ListInstanceProfilesForRole",
];

/**
 * Changes to an environment role that touch neither its permissions nor its trust. Creating and
 * deleting roles is not among them: a deleted and re-created role could trust anyone.
 */
const ROLE_METADATA_ACTIONS = ["iam:UpdateRole", "iam:UpdateRoleDescription", "iam:TagRole", "iam:UntagRole"];

/** Changes to an environment role's permissions: allowed only while the role carries the boundary. */
const ROLE_PERMISSION_ACTIONS = [
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:PutRolePermissionsBoundary",
];

/** Reading table items, for the plan role's data fence. */
const TABLE_READ_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:PartiQLSelect",
  "dynamodb:GetRecords",
];

/** Reading log events, for the plan role's data fence. */
const LOG_READ_ACTIONS = [
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "logs:StartQuery",
  "logs:GetQueryResults",
  "logs:StartLiveTail",
  "logs:GetLogRecord",
  "logs:Unmask",
];

/** Where the deploy workflow's jobs come from, as GitHub writes it into `job_workflow_ref`. */
export const DEFAULT_DEPLOY_WORKFLOW = ".github/workflows/deploy-environment.yml";
/** The only ref the deploy workflow may run from. */
export const DEFAULT_DEPLOY_REF = "refs/heads/main";

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
  /**
   * Workflow file whose jobs may assume the deploy role, pinned through the `job_workflow_ref` claim
   * of the repository's customised OIDC subject (README: CI).
   * @default DEFAULT_DEPLOY_WORKFLOW
   */
  readonly deployWorkflow?: string;
  /**
   * Git ref the deploy workflow must run from.
   * @default DEFAULT_DEPLOY_REF
   */
  readonly deployRef?: string;
  /** Name of the Terraform state bucket. */
  readonly stateBucketName: string;
  /** Name of the DynamoDB table Terraform locks states in. */
  readonly lockTableName: string;
  /** ARN of the KMS key that encrypts the state bucket and lock table. */
  readonly stateKmsKeyArn: string;
  /**
   * Keys of this environment's state objects (`workspaces/<workspace>/<stack>/terraform.tfstate`):
   * the roles use these and no other state objects or lock items.
   */
  readonly stateObjectKeys: readonly string[];
  /** The environment's Terraform workspace, tagged on the roles (`TerraformWorkspace`) for the state bucket's policy. */
  readonly workspace: string;
  /**
   * Key the environment's Lambda environments are encrypted with: the plan role may decrypt with it
   * through Lambda only (a refresh reads a function's configuration), and with no other key but the state key.
   * @default - the plan role decrypts with the state key only
   */
  readonly environmentKeyArn?: string;
  /**
   * Managed policies the deploy role may attach to (and detach from) the environment's roles.
   * @default - none: environment roles carry inline policies only
   */
  readonly attachablePolicyArns?: readonly string[];
  /** Value of the `Environment` tag of the environment's resources (the boundary fences others out). */
  readonly environmentTag: string;
  /**
   * DNS names whose Route 53 records the environment's roles may change (`api.example.com`,
   * `*.api.example.com` for certificate validation records).
   * @default - none
   */
  readonly dnsNames?: readonly string[];
  /**
   * Services beyond ECS, Elastic Load Balancing, Grafana and Application Auto Scaling whose
   * service-linked role the environment's roles may create (`rds.amazonaws.com`, say: RDS creates
   * its role on the account's first instance).
   * @default - none
   */
  readonly serviceLinkedRoleServices?: readonly string[];
  /**
   * Secrets whose value holds no credential (connection details Terraform writes) and that a plan
   * must therefore refresh: the plan role may read exactly these, and decrypt them through Secrets
   * Manager with the environment key; every other secret value stays denied.
   * @default - none
   */
  readonly planReadableSecretArns?: readonly string[];
}

/**
 * Two IAM roles that GitHub Actions jobs assume through the account's GitHub OIDC provider (created
 * once per account by the `state` stack, looked up here by its URL), and the environment's
 * {@link PermissionsBoundary}, which both roles and every role the deploy role manages carry:
 *
 * - `<project>-<env>-ci-plan`: any workflow run of the repository (pull requests included) may
 *   assume it. `ReadOnlyAccess`, the state access a plan needs (reading this environment's states,
 *   writing its lock files and lock items), and explicit denies that keep it to this environment's
 *   state and away from data: no secret values, log events, table items other than its locks, state
 *   objects of other environments, or decryption with any key but the state key.
 * - `<project>-<env>-ci-deploy`: only jobs of the deploy workflow on `main`, running in the GitHub
 *   environment {@link GithubDeployRolesProps.githubEnvironment}, may assume it. `PowerUserAccess`
 *   under the boundary, IAM only on the roles the stack creates, by exact name: their permissions
 *   only while they carry the boundary, `iam:PassRole` only to the service each role trusts, no trust
 *   policy edits, no managed policy attachments beyond a list.
 *
 * Neither role may change the CI roles or the boundary: an administrator applies those changes (and
 * the first deploy). Sessions last at most one hour.
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
  /** The boundary of every role of the environment; apply it with `boundary.applyToRolesIn(stack)`. */
  readonly boundary: PermissionsBoundary;
  /** The exact `sub` claim the deploy role trusts. */
  readonly deploySubject: string;

  constructor(scope: Construct, id: string, props: GithubDeployRolesProps) {
    super(scope, id);
    validate(props);
    const deployWorkflow = props.deployWorkflow ?? DEFAULT_DEPLOY_WORKFLOW;
    const deployRef = props.deployRef ?? DEFAULT_DEPLOY_REF;

    const partition = new DataAwsPartition(this, "partition").partition;
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const provider = new DataAwsIamOpenidConnectProvider(this, "github-oidc-provider", {
      url: GITHUB_OIDC_URL,
    });
    const iamArn = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
    const managedPolicy = (name: string) => `arn:${partition}:iam::aws:policy/${name}`;
    const prefix = resourceName(props.naming);
    this.planRoleName = limitedName(NAME_LIMITS.iamRole, props.naming, "ci", "plan");
    this.deployRoleName = limitedName(NAME_LIMITS.iamRole, props.naming, "ci", "deploy");
    const state = stateScope(props, partition, accountId);
    const linkedRoleServices = [
      ...SERVICE_LINKED_ROLE_SERVICES,
      ...(props.serviceLinkedRoleServices ?? []).filter((s) => !SERVICE_LINKED_ROLE_SERVICES.includes(s)),
    ];
    this.boundary = new PermissionsBoundary(this, "permissions-boundary", {
      naming: props.naming,
      environmentTag: props.environmentTag,
      protectedRoleNames: [this.planRoleName, this.deployRoleName],
      workspace: props.workspace,
      state: {
        bucketName: props.stateBucketName,
        lockTableName: props.lockTableName,
        keyArn: props.stateKmsKeyArn,
        lockIds: state.lockIds,
      },
      dnsNames: props.dnsNames,
      serviceLinkedRoleServices: linkedRoleServices,
    });
    const roleTags = { Environment: props.environmentTag, TerraformWorkspace: props.workspace };

    const planTrust = trustPolicy(provider.arn, "StringLike", `repo:${props.githubRepository}:*`);
    const planRole = new IamRole(this, "plan-role", {
      name: this.planRoleName,
      description: `GitHub Actions plans of ${props.githubRepository} (${prefix})`,
      maxSessionDuration: 3600,
      assumeRolePolicy: planTrust,
      tags: roleTags,
    });
    suppress(
      planRole,
      "IAM-013",
      "pull requests of any branch must plan; the role's only writes are its own lock files and lock items (terraform-state), " +
        "and its data fence denies secret values, log events, other state objects and decryption with other keys",
      { assume_role_policy: planTrust },
    );
    new IamRolePolicyAttachment(this, "plan-read-only", {
      role: planRole.name,
      policyArn: managedPolicy("ReadOnlyAccess"),
    });
    new IamRolePolicy(this, "plan-state-access", {
      name: "terraform-state",
      role: planRole.id,
      policy: statePolicy(state, "plan"),
    });
    new IamRolePolicy(this, "plan-data-fence", {
      name: "environment-data-fence",
      role: planRole.id,
      policy: planFence(state, props.environmentKeyArn, props.planReadableSecretArns ?? []),
    });

    this.deploySubject = `repo:${props.githubRepository}:environment:${props.githubEnvironment}:job_workflow_ref:${props.githubRepository}/${deployWorkflow}@${deployRef}`;
    const deployRole = new IamRole(this, "deploy-role", {
      name: this.deployRoleName,
      description: `GitHub Actions deploys of ${props.githubRepository} in environment ${props.githubEnvironment} (${prefix})`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trustPolicy(provider.arn, "StringEquals", this.deploySubject),
      tags: roleTags,
    });
    const powerUser = new IamRolePolicyAttachment(this, "deploy-power-user", {
      role: deployRole.name,
      policyArn: managedPolicy("PowerUserAccess"),
    });
    suppress(
      powerUser,
      "IAM-008",
      "Terraform applies the environment across a dozen services; PowerUserAccess grants no IAM beyond service-linked roles, " +
        "the role carries the environment's permissions boundary (no users or policies, no role creation or deletion by the role, " +
        "no assuming roles, passing only this environment's roles, service-linked roles from a list, no administration of the state store, " +
        "no resource tagged with another Environment), its IAM comes only from its environment-iam policy, " +
        "and only the deploy workflow on main in the protected GitHub environment can assume it",
      { policy_arn: powerUser.policyArnInput, role: powerUser.roleInput },
    );
    new IamRolePolicy(this, "deploy-state-access", {
      name: "terraform-state",
      role: deployRole.id,
      policy: statePolicy(state, "deploy"),
    });

    // Rendered at synth: the stack's roles (and the services they trust) are all known by then.
    const stack = TerraformStack.of(this);
    const managedRoles = () =>
      stack.node
        .findAll()
        .filter((c): c is IamRole => c instanceof IamRole && c !== planRole && c !== deployRole);
    new IamRolePolicy(this, "deploy-iam-access", {
      name: "environment-iam",
      role: deployRole.id,
      policy: Lazy.stringValue({
        produce: () =>
          deployIamPolicy({
            roles: managedRoles().map((role) => ({
              name: fixedRoleName(role),
              services: trustedServices(role),
            })),
            ciRoles: [this.planRoleName, this.deployRoleName],
            boundaryArn: this.boundary.policyArn,
            attachablePolicyArns: props.attachablePolicyArns ?? [],
            serviceLinkedRoleServices: linkedRoleServices,
            iamArn,
          }),
      }),
    });

    this.planRoleArn = planRole.arn;
    this.deployRoleArn = deployRole.arn;
  }
}

/** The name a role was given; the deploy role is scoped by exact names, so generated names are refused. */
function fixedRoleName(role: IamRole): string {
  const name = role.nameInput;
  if (name === undefined || isUnresolved(name)) {
    throw invalid(
      "name",
      "must be a fixed string on every IAM role of an environment stack (the CI deploy role is scoped to exact role names)",
      role.node.path,
      "Give the role a name built from the environment's naming.",
    );
  }
  return name;
}

/** AWS services a role's trust policy names (`ecs-tasks.amazonaws.com`, ...): the only ones it may be passed to. */
function trustedServices(role: IamRole): string[] {
  const document = role.assumeRolePolicyInput;
  if (document === undefined) return [];
  // Tokens inside string values (`${TfToken[...]}`) keep the document valid JSON.
  let parsedDocument: { Statement?: unknown };
  try {
    parsedDocument = JSON.parse(document);
  } catch {
    throw invalid(
      "assumeRolePolicy",
      "must be a JSON policy document on every IAM role of an environment stack (the CI deploy role may pass a role only to the services its trust policy names)",
      role.node.path,
      "Build it with policyDocument() or serviceTrustPolicy() (constructs/core/iam.ts).",
    );
  }
  const services = new Set<string>();
  for (const statement of [parsedDocument.Statement].flat() as {
    Effect?: string;
    Principal?: { Service?: unknown };
  }[]) {
    if (statement?.Effect !== "Allow") continue;
    for (const service of [statement.Principal?.Service ?? []].flat()) services.add(String(service));
  }
  return [...services].sort();
}

function deployIamPolicy(input: {
  readonly roles: readonly { readonly name: string; readonly services: readonly string[] }[];
  readonly serviceLinkedRoleServices: readonly string[];
  readonly ciRoles: readonly string[];
  readonly boundaryArn: string;
  readonly attachablePolicyArns: readonly string[];
  readonly iamArn: (resource: string) => string;
}): string {
  const roleArns = input.roles.map((r) => input.iamArn(`role/${r.name}`));
  const withBoundary = { StringEquals: { "iam:PermissionsBoundary": input.boundaryArn } };
  const services = [...new Set(input.roles.flatMap((r) => r.services))].sort();
  const statements: PolicyStatement[] = [
    {
      sid: "ReadStackRoles",
      actions: ROLE_READ_ACTIONS,
      resources: [...roleArns, ...input.ciRoles.map((name) => input.iamArn(`role/${name}`))],
    },
  ];
  if (roleArns.length > 0) {
    statements.push(
      { sid: "ManageEnvironmentRoles", actions: ROLE_METADATA_ACTIONS, resources: roleArns },
      {
        sid: "ChangeEnvironmentRolePermissionsWithinTheBoundary",
        actions: ROLE_PERMISSION_ACTIONS,
        resources: roleArns,
        conditions: withBoundary,
      },
    );
  }
  if (roleArns.length > 0 && input.attachablePolicyArns.length > 0) {
    statements.push({
      sid: "AttachListedPoliciesWithinTheBoundary",
      actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      resources: roleArns,
      conditions: { ...withBoundary, ArnEquals: { "iam:PolicyARN": [...input.attachablePolicyArns] } },
    });
  }
  for (const service of services) {
    const passable = input.roles
      .filter((r) => r.services.includes(service))
      .map((r) => input.iamArn(`role/${r.name}`));
    statements.push({
      sid: `PassRolesTo${service.split(".")[0]!.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`,
      actions: ["iam:PassRole"],
      resources: passable,
      conditions: { StringEquals: { "iam:PassedToService": service } },
    });
  }
  statements.push(
    {
      sid: "ReadTheBoundary",
      actions: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"],
      resources: [input.boundaryArn],
    },
    {
      sid: "CreateServiceLinkedRoles",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [input.iamArn("role/aws-service-role/*")],
      conditions: { StringEquals: { "iam:AWSServiceName": [...input.serviceLinkedRoleServices] } },
    },
    // The stacks look the OIDC provider up by URL (`data aws_iam_openid_connect_provider`).
    {
      sid: "ReadGithubOidcProvider",
      actions: ["iam:GetOpenIDConnectProvider"],
      resources: [input.iamArn("oidc-provider/token.actions.githubusercontent.com")],
    },
    { sid: "ListOidcProviders", actions: ["iam:ListOpenIDConnectProviders"], resources: ["*"] },
  );
  return policyDocument(statements);
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

/** The state resources of one environment, resolved to ARNs and keys. */
interface StateScope {
  readonly bucketArn: string;
  readonly tableArn: string;
  readonly keyArn: string;
  /** `<bucket ARN>/<key>` of each state object and its lock file. */
  readonly objectArns: readonly string[];
  /** `LockID`s of the lock table's items for these states (the lock and its digest). */
  readonly lockIds: readonly string[];
}

function stateScope(props: GithubDeployRolesProps, partition: string, accountId: string): StateScope {
  const bucketArn = `arn:${partition}:s3:::${props.stateBucketName}`;
  return {
    bucketArn,
    tableArn: `arn:${partition}:dynamodb:*:${accountId}:table/${props.lockTableName}`,
    keyArn: props.stateKmsKeyArn,
    objectArns: props.stateObjectKeys.flatMap((key) => [`${bucketArn}/${key}`, `${bucketArn}/${key}.tflock`]),
    lockIds: props.stateObjectKeys.flatMap((key) => [
      `${props.stateBucketName}/${key}`,
      `${props.stateBucketName}/${key}-md5`,
    ]),
  };
}

const LOCK_ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"];

/**
 * State access, to this environment's states only. `plan` reads its states and writes only their lock
 * files (`*.tflock`) and lock items; `deploy` also writes its states. Explicit denies keep both away
 * from other environments' lock items whatever their managed policies allow (state objects of other
 * environments are fenced by the state bucket's policy, and for the plan role by its data fence).
 */
function statePolicy(state: StateScope, mode: "plan" | "deploy"): string {
  const states = state.objectArns.filter((arn) => !arn.endsWith(".tflock"));
  const locks = state.objectArns.filter((arn) => arn.endsWith(".tflock"));
  return policyDocument([
    { sid: "ListStateBucket", actions: ["s3:ListBucket"], resources: [state.bucketArn] },
    ...(mode === "deploy"
      ? [
          {
            sid: "ReadWriteOwnStatesAndLockFiles",
            actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources: [...state.objectArns],
          },
        ]
      : [
          { sid: "ReadOwnStates", actions: ["s3:GetObject"], resources: states },
          {
            sid: "WriteOwnLockFiles",
            actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources: locks,
          },
        ]),
    { sid: "DescribeLockTable", actions: ["dynamodb:DescribeTable"], resources: [state.tableArn] },
    {
      sid: "UseOwnLockItems",
      actions: LOCK_ITEM_ACTIONS,
      resources: [state.tableArn],
      conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...state.lockIds] } },
    },
    {
      sid: "UseStateKey",
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      resources: [state.keyArn],
    },
  ]);
}

/**
 * What the plan role, which any branch can assume, may never read, whatever ReadOnlyAccess allows:
 * other environments' state objects, secret values, log events, table items (other than its locks),
 * and anything encrypted with a key other than the state key (and the environment key, through
 * Lambda only: a refresh reads a function's environment).
 */
function planFence(
  state: StateScope,
  environmentKeyArn: string | undefined,
  readableSecrets: readonly string[],
): string {
  const decryptable = [state.keyArn, ...(environmentKeyArn ? [environmentKeyArn] : [])];
  const readsSecrets = readableSecrets.length > 0 && environmentKeyArn !== undefined;
  return policyDocument([
    ...(readsSecrets
      ? [
          {
            sid: "ReadConnectionDetailSecrets",
            actions: ["secretsmanager:GetSecretValue"],
            resources: [...readableSecrets],
          },
          {
            // Secrets Manager decrypts on the role's behalf only inside a GetSecretValue, which the
            // deny below allows for these secrets alone: through it, no other secret can be decrypted.
            sid: "DecryptConnectionDetailSecrets",
            actions: ["kms:Decrypt"],
            resources: [environmentKeyArn!],
            conditions: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
          },
        ]
      : []),
    {
      sid: "DenyOtherStateObjects",
      effect: "Deny",
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      notResources: [...state.objectArns],
    },
    readsSecrets
      ? {
          sid: "DenySecretValues",
          effect: "Deny",
          actions: ["secretsmanager:GetSecretValue"],
          notResources: [...readableSecrets],
        }
      : {
          sid: "DenySecretValues",
          effect: "Deny",
          actions: ["secretsmanager:GetSecretValue"],
          resources: ["*"],
        },
    { sid: "DenyLogEvents", effect: "Deny", actions: LOG_READ_ACTIONS, resources: ["*"] },
    { sid: "DenyTableItems", effect: "Deny", actions: TABLE_READ_ACTIONS, notResources: [state.tableArn] },
    {
      sid: "DenyDecryptingWithOtherKeys",
      effect: "Deny",
      actions: ["kms:Decrypt"],
      notResources: decryptable,
    },
    ...(environmentKeyArn
      ? [
          {
            sid: "DenyDecryptingWithTheEnvironmentKeyOutsideLambda",
            effect: "Deny" as const,
            actions: ["kms:Decrypt"],
            resources: [environmentKeyArn],
            conditions: {
              StringNotLike: {
                "kms:ViaService": readsSecrets
                  ? ["lambda.*.amazonaws.com", "secretsmanager.*.amazonaws.com"]
                  : "lambda.*.amazonaws.com",
              },
            },
          },
        ]
      : []),
  ]);
}

function validate(props: GithubDeployRolesProps): void {
  if (!isUnresolved(props.githubRepository) && props.githubRepository.endsWith(".git")) {
    throw invalid(
      "githubRepository",
      "must be the repository's owner/name without .git (GitHub's OIDC tokens name it so; the roles could never be assumed)",
      props.githubRepository,
      `Use ${props.githubRepository.slice(0, -".git".length)}.`,
    );
  }
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
  if (!isUnresolved(props.stateKmsKeyArn) && !KMS_KEY_ARN.test(props.stateKmsKeyArn)) {
    throw invalid(
      "stateKmsKeyArn",
      "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias",
      props.stateKmsKeyArn,
      "Use the state stack's state_kms_key_arn output (the environment stacks look it up by its alias).",
    );
  }
  if (props.stateObjectKeys.length === 0) {
    throw invalid(
      "stateObjectKeys",
      "must list the environment's state object keys",
      [],
      "Pass workspaces/<workspace>/<stack>/terraform.tfstate for each of the environment's stacks.",
    );
  }
  for (const key of props.stateObjectKeys) {
    if (!isUnresolved(key) && (key.startsWith("/") || key.includes("*") || key.includes("?"))) {
      throw invalid(
        "stateObjectKeys",
        "entries must be exact object keys, without a leading / or wildcards",
        key,
        "Use workspaces/<workspace>/<stack>/terraform.tfstate.",
      );
    }
  }
}
