import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { TerraformVariable } from "cdktf";
import { describe, expect, test } from "vitest";
import { GithubDeployRoles, type GithubDeployRolesProps } from "../../constructs/ci";
import { serviceTrustPolicy } from "../../constructs/core/iam";
import {
  ACCOUNT,
  ALLOW_EVERYTHING,
  decide,
  POWER_USER_ACCESS,
  resolveTokens,
  trustAllows,
} from "../support/iam-simulator";
import { dataOf, parsed, resourcesOf, synthScope, type TerraformJson } from "../support/synth";

const BUCKET = "meeting-notes-terraform-state";
const TABLE = "meeting-notes-terraform-locks";
const STATE_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-1111-1111-1111-111111111111`;
const APP_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/22222222-2222-2222-2222-222222222222`;
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const OWN_KEYS = [
  "workspaces/staging/staging/terraform.tfstate",
  "workspaces/staging/staging-grafana/terraform.tfstate",
];
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/meeting-notes-staging-permissions-boundary`;

const props: GithubDeployRolesProps = {
  naming: { projectName: "meeting-notes", environment: "staging" },
  githubRepository: "example-org/meeting-notes",
  githubEnvironment: "staging",
  stateBucketName: BUCKET,
  lockTableName: TABLE,
  stateKmsKeyArn: STATE_KEY,
  stateObjectKeys: OWN_KEYS,
  workspace: "staging",
  environmentKeyArn: APP_KEY,
  environmentTag: "staging",
};

/** The CI roles beside two environment roles (a task role and a function role), boundary applied. */
function synthRoles(overrides: Partial<GithubDeployRolesProps> = {}): TerraformJson {
  return synthScope((scope) => {
    new IamRole(scope, "task-role", {
      name: "meeting-notes-staging-bot-task",
      assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com"),
    });
    new IamRole(scope, "function-role", {
      name: "meeting-notes-staging-fn",
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
    });
    new GithubDeployRoles(scope, "ci", { ...props, ...overrides }).boundary.applyToRolesIn(scope);
  });
}

const json = synthRoles();
const roles = Object.values(resourcesOf(json, "aws_iam_role"));
const roleNamed = (source: TerraformJson, name: string) => {
  const entry = Object.entries(resourcesOf(source, "aws_iam_role")).find(([, r]) => r.name === name);
  if (!entry) throw new Error(`no role named ${name}`);
  return { address: entry[0], role: entry[1] };
};
const resolve = (document: unknown) =>
  resolveTokens(document, { "data.aws_iam_openid_connect_provider": OIDC });
/** A role's inline policies by name, tokens resolved. */
function inline(source: TerraformJson, roleName: string): Record<string, any> {
  const { address } = roleNamed(source, roleName);
  return Object.fromEntries(
    Object.values(resourcesOf(source, "aws_iam_role_policy"))
      .filter((p) => p.role === `\${aws_iam_role.${address}.id}`)
      .map((p) => [p.name, resolve(p.policy)]),
  );
}
const boundaryOf = (source: TerraformJson) =>
  resolve(Object.values(resourcesOf(source, "aws_iam_policy"))[0].policy);

describe("GithubDeployRoles: structure", () => {
  test("looks the account's GitHub OIDC provider up by its URL", () => {
    expect(Object.values(dataOf(json, "aws_iam_openid_connect_provider"))).toEqual([
      { url: "https://token.actions.githubusercontent.com" },
    ]);
  });

  test("names the roles <project>-<env>-ci-plan and -ci-deploy, one-hour sessions, tagged with the workspace", () => {
    for (const name of ["meeting-notes-staging-ci-plan", "meeting-notes-staging-ci-deploy"]) {
      const { role: r } = roleNamed(json, name);
      expect(r.max_session_duration).toBe(3600);
      expect(r.tags).toEqual({ Environment: "staging", TerraformWorkspace: "staging" });
    }
  });

  test("every role of the stack, the CI roles included, carries the permissions boundary", () => {
    expect(roles).toHaveLength(4);
    for (const r of roles) expect(resolve(JSON.stringify(r.permissions_boundary))).toBe(BOUNDARY);
    expect(Object.values(resourcesOf(json, "aws_iam_policy"))[0].name).toBe(
      "meeting-notes-staging-permissions-boundary",
    );
  });

  test("attaches ReadOnlyAccess to the plan role and PowerUserAccess to the deploy role, nothing else", () => {
    expect(
      Object.values(resourcesOf(json, "aws_iam_role_policy_attachment"))
        .map((a) => resolve(JSON.stringify(a.policy_arn)))
        .sort(),
    ).toEqual(["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  test("the inline policies of each role stay under IAM's 10,240-character limit per role", () => {
    for (const name of ["meeting-notes-staging-ci-plan", "meeting-notes-staging-ci-deploy"]) {
      const size = Object.values(inline(json, name))
        .map((p) => JSON.stringify(p).replace(/\s/g, "").length)
        .reduce((a, b) => a + b, 0);
      expect(size).toBeLessThan(10_240);
    }
    expect(JSON.stringify(boundaryOf(json)).length).toBeLessThan(6_144);
  });
});

describe("GithubDeployRoles: who can assume the roles (the exact sub GitHub sends)", () => {
  const claims = (sub: string) => ({
    "token.actions.githubusercontent.com:sub": sub,
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
  });
  const deployTrust = resolve(roleNamed(json, "meeting-notes-staging-ci-deploy").role.assume_role_policy);
  const planTrust = resolve(roleNamed(json, "meeting-notes-staging-ci-plan").role.assume_role_policy);
  const repo = "example-org/meeting-notes";
  const wf = (file: string, ref: string) => `job_workflow_ref:${repo}/.github/workflows/${file}@${ref}`;

  test.each([
    [`repo:${repo}:environment:staging:${wf("deploy-environment.yml", "refs/heads/main")}`, true],
    [`repo:${repo}:environment:staging:${wf("deploy-environment.yml", "refs/heads/feature")}`, false],
    // The caller: its jobs only call the reusable workflow, whose jobs carry its job_workflow_ref.
    [`repo:${repo}:environment:staging:${wf("deploy.yml", "refs/heads/main")}`, false],
    [`repo:${repo}:environment:staging:${wf("plan.yml", "refs/heads/main")}`, false],
    [`repo:${repo}:environment:prod:${wf("deploy-environment.yml", "refs/heads/main")}`, false],
    [`repo:${repo}:environment:staging`, false], // the default subject, before the customisation
    [`repo:${repo}:pull_request:${wf("deploy.yml", "refs/pull/7/merge")}`, false],
    [
      `repo:other-org/meeting-notes:environment:staging:${wf("deploy-environment.yml", "refs/heads/main")}`,
      false,
    ],
  ])("deploy role, sub %s: %s", (sub, allowed) => {
    expect(trustAllows(deployTrust, { federated: OIDC, claims: claims(sub) })).toBe(allowed);
    expect(
      trustAllows(deployTrust, {
        federated: OIDC,
        claims: { ...claims(sub), "token.actions.githubusercontent.com:aud": "other" },
      }),
    ).toBe(false);
  });

  test.each([
    [`repo:${repo}:pull_request:${wf("plan.yml", "refs/pull/7/merge")}`, true],
    [`repo:${repo}:ref:refs/heads/main:${wf("ci.yml", "refs/heads/main")}`, true],
    [`repo:other-org/meeting-notes:pull_request:${wf("plan.yml", "refs/pull/7/merge")}`, false],
    [`repo:example-org/meeting-notes-fork:pull_request`, false],
  ])("plan role, sub %s: %s", (sub, allowed) => {
    expect(trustAllows(planTrust, { federated: OIDC, claims: claims(sub) })).toBe(allowed);
  });

  test("the deploy workflow and ref are settings", () => {
    const custom = synthRoles({ deployWorkflow: ".github/workflows/release.yml", deployRef: "refs/tags/v1" });
    const trust = resolve(roleNamed(custom, "meeting-notes-staging-ci-deploy").role.assume_role_policy);
    const sub = `repo:${repo}:environment:staging:job_workflow_ref:${repo}/.github/workflows/release.yml@refs/tags/v1`;
    expect(trustAllows(trust, { federated: OIDC, claims: claims(sub) })).toBe(true);
  });
});

describe("GithubDeployRoles: the deploy role cannot become administrator", () => {
  const deploy = inline(json, "meeting-notes-staging-ci-deploy");
  const identity = [POWER_USER_ACCESS, deploy["environment-iam"], deploy["terraform-state"]];
  const boundary = boundaryOf(json);
  const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide({
      principal: role("meeting-notes-staging-ci-deploy"),
      action,
      resource,
      context,
      identity,
      boundary,
    });
  const withBoundary = { "iam:PermissionsBoundary": BOUNDARY };
  const task = role("meeting-notes-staging-bot-task");

  const tagged = {
    "aws:RequestTag/Environment": "staging",
    "aws:RequestTag/TerraformWorkspace": "staging",
    "aws:TagKeys": ["Environment", "TerraformWorkspace"],
  };
  const own = { "aws:ResourceTag/Environment": "staging" };
  const fn = role("meeting-notes-staging-fn");
  const deployArn = role("meeting-notes-staging-ci-deploy");
  const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  test.each<[string, string, string, Record<string, string | string[]>, string]>([
    // Creating and deleting roles is an administrator's apply: a re-created role could trust anyone.
    [
      "create an environment role, even with the boundary and tags",
      "iam:CreateRole",
      task,
      { ...withBoundary, ...tagged },
      "ImplicitlyDenied",
    ],
    ["create an environment role without the boundary", "iam:CreateRole", task, {}, "ExplicitlyDenied"],
    ["delete an environment role", "iam:DeleteRole", task, {}, "ImplicitlyDenied"],
    ["put an inline policy on a bounded role", "iam:PutRolePolicy", task, withBoundary, "Allowed"],
    [
      "put an inline policy on a role without the boundary",
      "iam:PutRolePolicy",
      task,
      {},
      "ExplicitlyDenied",
    ],
    [
      "put an inline policy on a role of a later environment with the same prefix",
      "iam:PutRolePolicy",
      role("meeting-notes-staging-eu-bot-task"),
      withBoundary,
      "ImplicitlyDenied",
    ],
    [
      "attach a managed policy (none is listed)",
      "iam:AttachRolePolicy",
      task,
      { ...withBoundary, "iam:PolicyARN": admin },
      "ImplicitlyDenied",
    ],
    ["edit a role's trust policy", "iam:UpdateAssumeRolePolicy", task, {}, "ImplicitlyDenied"],
    ["take the boundary off a role", "iam:DeleteRolePermissionsBoundary", task, {}, "ExplicitlyDenied"],
    // The account baseline is the account's: readable, never turned off by an environment's CI.
    [
      "stop the account's trail",
      "cloudtrail:StopLogging",
      "arn:aws:cloudtrail:us-east-1:123456789012:trail/meeting-notes-account-trail",
      {},
      "ExplicitlyDenied",
    ],
    [
      "delete the account's GuardDuty detector",
      "guardduty:DeleteDetector",
      "arn:aws:guardduty:us-east-1:123456789012:detector/0123456789abcdef0123456789abcdef",
      {},
      "ExplicitlyDenied",
    ],
    [
      "disable Security Hub",
      "securityhub:DisableSecurityHub",
      "arn:aws:securityhub:us-east-1:123456789012:hub/default",
      {},
      "ExplicitlyDenied",
    ],
    [
      "read the trail's status",
      "cloudtrail:GetTrailStatus",
      "arn:aws:cloudtrail:us-east-1:123456789012:trail/meeting-notes-account-trail",
      {},
      "Allowed",
    ],
    ["change its own policies", "iam:PutRolePolicy", deployArn, withBoundary, "ExplicitlyDenied"],
    [
      "attach AdministratorAccess to itself",
      "iam:AttachRolePolicy",
      deployArn,
      { ...withBoundary, "iam:PolicyARN": admin },
      "ExplicitlyDenied",
    ],
    [
      "change the plan role",
      "iam:UpdateAssumeRolePolicy",
      role("meeting-notes-staging-ci-plan"),
      {},
      "ExplicitlyDenied",
    ],
    ["edit the boundary", "iam:CreatePolicyVersion", BOUNDARY, {}, "ExplicitlyDenied"],
    [
      "create a managed policy",
      "iam:CreatePolicy",
      `arn:aws:iam::${ACCOUNT}:policy/meeting-notes-staging-admin`,
      {},
      "ImplicitlyDenied",
    ],
    ["create a user", "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/backdoor`, {}, "ImplicitlyDenied"],
    [
      "create an access key",
      "iam:CreateAccessKey",
      `arn:aws:iam::${ACCOUNT}:user/backdoor`,
      {},
      "ImplicitlyDenied",
    ],
    [
      "pass the task role to ECS tasks",
      "iam:PassRole",
      task,
      { ...own, "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      "Allowed",
    ],
    [
      "pass the task role to Lambda",
      "iam:PassRole",
      task,
      { ...own, "iam:PassedToService": "lambda.amazonaws.com" },
      "ImplicitlyDenied",
    ],
    [
      "pass the function role to Lambda",
      "iam:PassRole",
      fn,
      { ...own, "iam:PassedToService": "lambda.amazonaws.com" },
      "Allowed",
    ],
    [
      "pass the function role to EC2",
      "iam:PassRole",
      fn,
      { ...own, "iam:PassedToService": "ec2.amazonaws.com" },
      "ImplicitlyDenied",
    ],
    [
      "pass itself",
      "iam:PassRole",
      deployArn,
      { ...own, "iam:PassedToService": "lambda.amazonaws.com" },
      "ExplicitlyDenied",
    ],
    [
      "pass an untagged role of the account",
      "iam:PassRole",
      role("cdk-hnb659fds-cfn-exec-role"),
      { "iam:PassedToService": "cloudformation.amazonaws.com" },
      "ExplicitlyDenied",
    ],
    [
      "pass a role of another environment",
      "iam:PassRole",
      role("meeting-notes-prod-bot-task"),
      { "aws:ResourceTag/Environment": "prod", "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      "ExplicitlyDenied",
    ],
    [
      "assume another role of the account",
      "sts:AssumeRole",
      role("cdk-hnb659fds-deploy-role"),
      {},
      "ExplicitlyDenied",
    ],
    [
      "change the Environment tag of a role",
      "iam:TagRole",
      task,
      { "aws:TagKeys": ["Environment"], "aws:RequestTag/Environment": "staging" },
      "ExplicitlyDenied",
    ],
    [
      "create a service-linked role for EC2 Spot",
      "iam:CreateServiceLinkedRole",
      role("aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot"),
      { "iam:AWSServiceName": "spot.amazonaws.com" },
      "ExplicitlyDenied",
    ],
    [
      "create the ECS service-linked role",
      "iam:CreateServiceLinkedRole",
      role("aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"),
      { "iam:AWSServiceName": "ecs.amazonaws.com" },
      "Allowed",
    ],
  ])("%s: %s is %s", async (_what, action, resource, context, expected) => {
    await expect(ask(action, resource, context)).resolves.toBe(expected);
  });

  test("a listed managed policy may be attached, within the boundary; others may not", async () => {
    const listed = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    const custom = synthRoles({ attachablePolicyArns: [listed] });
    const d = inline(custom, "meeting-notes-staging-ci-deploy");
    const attach = (policyArn: string) =>
      decide({
        principal: role("meeting-notes-staging-ci-deploy"),
        action: "iam:AttachRolePolicy",
        resource: task,
        context: { ...withBoundary, "iam:PolicyARN": policyArn },
        identity: [POWER_USER_ACCESS, d["environment-iam"]],
        boundary: boundaryOf(custom),
      });
    await expect(attach(listed)).resolves.toBe("Allowed");
    await expect(attach("arn:aws:iam::aws:policy/AdministratorAccess")).resolves.toBe("ImplicitlyDenied");
  });
});

describe("GithubDeployRoles: isolation from other environments", () => {
  const deploy = inline(json, "meeting-notes-staging-ci-deploy");
  const boundary = boundaryOf(json);
  const service = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/meeting-notes-prod-bot/meeting-notes-prod-bot`;
  const ask = (action: string, resource: string, context: Record<string, string | string[]>) =>
    decide({
      principal: role("meeting-notes-staging-ci-deploy"),
      action,
      resource,
      context,
      identity: [POWER_USER_ACCESS, deploy["terraform-state"]],
      boundary,
    });

  test.each<[string, string, string, Record<string, string | string[]>, string]>([
    [
      "change a resource tagged prod",
      "ecs:UpdateService",
      service,
      { "aws:ResourceTag/Environment": "prod" },
      "ExplicitlyDenied",
    ],
    [
      "change a resource tagged staging",
      "ecs:UpdateService",
      service,
      { "aws:ResourceTag/Environment": "staging" },
      "Allowed",
    ],
    [
      "read a prod secret",
      "secretsmanager:GetSecretValue",
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:meeting-notes-prod/openai-api-key-AbCdEf`,
      { "aws:ResourceTag/Environment": "prod" },
      "ExplicitlyDenied",
    ],
    [
      "create a cluster tagged prod",
      "ecs:CreateCluster",
      `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/x`,
      { "aws:RequestTag/Environment": "prod", "aws:TagKeys": ["Environment"] },
      "ExplicitlyDenied",
    ],
    [
      "write its own lock item",
      "dynamodb:PutItem",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`,
      { "dynamodb:LeadingKeys": [`${BUCKET}/${OWN_KEYS[0]}`] },
      "Allowed",
    ],
    [
      "write prod's lock item",
      "dynamodb:PutItem",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`,
      { "dynamodb:LeadingKeys": [`${BUCKET}/workspaces/prod/prod/terraform.tfstate`] },
      "ExplicitlyDenied",
    ],
    [
      "scan the lock table",
      "dynamodb:Scan",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "rewrite prod's lock item with PartiQL",
      "dynamodb:PartiQLUpdate",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "delete the lock table",
      "dynamodb:DeleteTable",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "replace the state bucket's policy",
      "s3:PutBucketPolicy",
      `arn:aws:s3:::${BUCKET}`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "delete the state bucket's policy",
      "s3:DeleteBucketPolicy",
      `arn:aws:s3:::${BUCKET}`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "change a DNS record (the environment has none)",
      "route53:ChangeResourceRecordSets",
      "arn:aws:route53:::hostedzone/Z123",
      { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["api.example.com"] },
      "ExplicitlyDenied",
    ],
  ])("the staging deploy role may not %s: %s is %s", async (_what, action, resource, context, expected) => {
    await expect(ask(action, resource, context)).resolves.toBe(expected);
  });
});

describe("GithubDeployRoles: the plan role reads only its own environment", () => {
  const plan = inline(json, "meeting-notes-staging-ci-plan");
  const boundary = boundaryOf(json);
  const principal = role("meeting-notes-staging-ci-plan");
  // ReadOnlyAccess is stood in for by "allow everything": the denies must hold against anything.
  // A key policy that delegates to IAM, as the state key's and the app key's do.
  const keyPolicy = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    ],
  };
  const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide({
      principal,
      action,
      resource,
      context,
      identity: [ALLOW_EVERYTHING, ...Object.values(plan)],
      boundary,
      ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicy } : {}),
    });
  const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
  const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`;

  test.each<[string, string, string, Record<string, string | string[]>, string]>([
    ["its own state", "s3:GetObject", object(OWN_KEYS[0]!), {}, "Allowed"],
    ["its Grafana stack's state", "s3:GetObject", object(OWN_KEYS[1]!), {}, "Allowed"],
    [
      "prod's state",
      "s3:GetObject",
      object("workspaces/prod/prod/terraform.tfstate"),
      {},
      "ExplicitlyDenied",
    ],
    [
      "the state stack's own state",
      "s3:GetObject",
      object("state/terraform.tfstate"),
      {},
      "ExplicitlyDenied",
    ],
    [
      "an object of another bucket",
      "s3:GetObject",
      "arn:aws:s3:::customer-data/export.csv",
      {},
      "ExplicitlyDenied",
    ],
    [
      "any secret value",
      "secretsmanager:GetSecretValue",
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:meeting-notes-staging/openai-api-key-AbCdEf`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "log events",
      "logs:GetLogEvents",
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/meeting-notes-prod-bot:log-stream:x`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "items of another table",
      "dynamodb:GetItem",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sessions`,
      {},
      "ExplicitlyDenied",
    ],
    [
      "its own lock item",
      "dynamodb:GetItem",
      table,
      { "dynamodb:LeadingKeys": [`${BUCKET}/${OWN_KEYS[0]}-md5`] },
      "Allowed",
    ],
    [
      "prod's lock item",
      "dynamodb:GetItem",
      table,
      { "dynamodb:LeadingKeys": [`${BUCKET}/workspaces/prod/prod/terraform.tfstate-md5`] },
      "ExplicitlyDenied",
    ],
    ["every lock item (scan)", "dynamodb:Scan", table, {}, "ExplicitlyDenied"],
    ["decrypt with the state key", "kms:Decrypt", STATE_KEY, {}, "Allowed"],
    [
      "decrypt a function's environment through Lambda",
      "kms:Decrypt",
      APP_KEY,
      { "kms:ViaService": "lambda.us-east-1.amazonaws.com" },
      "Allowed",
    ],
    ["decrypt with the environment key directly", "kms:Decrypt", APP_KEY, {}, "ExplicitlyDenied"],
    [
      "decrypt with the environment key through Secrets Manager",
      "kms:Decrypt",
      APP_KEY,
      { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
      "ExplicitlyDenied",
    ],
    [
      "decrypt with any other key",
      "kms:Decrypt",
      `arn:aws:kms:us-east-1:${ACCOUNT}:key/33333333-3333-3333-3333-333333333333`,
      {},
      "ExplicitlyDenied",
    ],
  ])("reading %s: %s is %s", async (_what, action, resource, context, expected) => {
    await expect(ask(action, resource, context)).resolves.toBe(expected);
  });

  test("its own policies let it write lock files, never states", async () => {
    const own = (action: string, key: string) =>
      decide({ principal, action, resource: object(key), identity: Object.values(plan), boundary });
    await expect(own("s3:PutObject", `${OWN_KEYS[0]}.tflock`)).resolves.toBe("Allowed");
    await expect(own("s3:PutObject", OWN_KEYS[0]!)).resolves.toBe("ImplicitlyDenied");
    await expect(own("s3:DeleteObject", OWN_KEYS[0]!)).resolves.toBe("ImplicitlyDenied");
  });
});

describe("GithubDeployRoles: bad input", () => {
  test("skips validation of values known only at apply time", () => {
    const withToken = synthScope((scope) => {
      const repository = new TerraformVariable(scope, "repository", { type: "string" });
      new GithubDeployRoles(scope, "ci", { ...props, githubRepository: repository.stringValue });
    });
    expect(
      parsed(roleNamed(withToken, "meeting-notes-staging-ci-plan").role.assume_role_policy).Statement[0]
        .Condition.StringLike,
    ).toEqual({
      "token.actions.githubusercontent.com:sub": "repo:${var.repository}:*",
    });
  });

  test("a role with a generated name is refused (the deploy role is scoped by exact names)", () => {
    expect(() =>
      synthScope((scope) => {
        new IamRole(scope, "nameless", { assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com") });
        new GithubDeployRoles(scope, "ci", props);
      }),
    ).toThrow(
      '`name` must be a fixed string on every IAM role of an environment stack (the CI deploy role is scoped to exact role names), got "test/nameless". Give the role a name built from the environment\'s naming.',
    );
  });

  const REPOSITORY =
    "`githubRepository` must be a GitHub repository as owner/name (letters, digits, _, . and -), got %s. Use the repository's path on github.com, for example example-org/meeting-notes.";
  const ENVIRONMENT =
    "`githubEnvironment` must be a GitHub Actions environment name of 1 to 255 letters, digits, _, . and - (it is matched exactly in the OIDC subject), got %s. Use the environment's name as shown under Settings > Environments, for example staging.";
  test.each([
    [{ githubRepository: "meeting-notes" }, REPOSITORY.replace("%s", '"meeting-notes"')],
    [{ githubRepository: "example-org/*" }, REPOSITORY.replace("%s", '"example-org/*"')],
    [{ githubEnvironment: "*" }, ENVIRONMENT.replace("%s", '"*"')],
    [{ githubEnvironment: "staging:x" }, ENVIRONMENT.replace("%s", '"staging:x"')],
    [
      { stateKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/state" },
      '`stateKmsKeyArn` must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias, got "arn:aws:kms:us-east-1:123456789012:alias/state". Use the state stack\'s state_kms_key_arn output (the environment stacks look it up by its alias).',
    ],
    [
      { stateObjectKeys: [] },
      "`stateObjectKeys` must list the environment's state object keys, got []. Pass workspaces/<workspace>/<stack>/terraform.tfstate for each of the environment's stacks.",
    ],
    [
      { stateObjectKeys: ["workspaces/staging/*"] },
      '`stateObjectKeys` entries must be exact object keys, without a leading / or wildcards, got "workspaces/staging/*". Use workspaces/<workspace>/<stack>/terraform.tfstate.',
    ],
  ])("rejects %j", (overrides, message) => {
    expect(() => synthRoles(overrides)).toThrow(message);
  });
});

describe("GithubDeployRoles: service-linked roles", () => {
  const statementOf = (source: TerraformJson) =>
    boundaryOf(source).Statement.find((s: any) => s.Sid === "DenyOtherServiceLinkedRoles");

  test("by default only ECS, Elastic Load Balancing, Grafana and Application Auto Scaling may get theirs", () => {
    expect(statementOf(json).Condition.StringNotEquals["iam:AWSServiceName"]).toEqual([
      "ecs.amazonaws.com",
      "elasticloadbalancing.amazonaws.com",
      "grafana.amazonaws.com",
      "autoscaling.amazonaws.com",
      "ecs.application-autoscaling.amazonaws.com",
    ]);
  });

  test("an environment with a database adds RDS's, once", () => {
    const custom = synthRoles({ serviceLinkedRoleServices: ["rds.amazonaws.com", "ecs.amazonaws.com"] });
    const services = statementOf(custom).Condition.StringNotEquals["iam:AWSServiceName"];
    expect(services).toContain("rds.amazonaws.com");
    expect(services.filter((s: string) => s === "ecs.amazonaws.com")).toHaveLength(1);
  });
});

describe("GithubDeployRoles: a plan refreshes connection-detail secrets, and only those", () => {
  const REDIS = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:meeting-notes-staging/redis-credentials-AbCdEf`;
  const OTHER = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:meeting-notes-staging/app-config-AbCdEf`;
  const custom = synthRoles({ planReadableSecretArns: [REDIS] });
  const plan = inline(custom, "meeting-notes-staging-ci-plan");
  const boundary = boundaryOf(custom);
  const keyPolicy = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    ],
  };
  // Only the plan role's own policies: ReadOnlyAccess grants no secret value.
  const ask = (
    identity: unknown[],
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ) =>
    decide({
      principal: role("meeting-notes-staging-ci-plan"),
      action,
      resource,
      context,
      identity: identity as never,
      boundary,
      ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicy } : {}),
    });
  const own = Object.values(plan);
  const viaSecretsManager = (secret: string) => ({
    "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
    "kms:EncryptionContext:SecretARN": secret,
  });

  test.each<[string, unknown[], string, string, Record<string, string>, string]>([
    ["read the connection details", own, "secretsmanager:GetSecretValue", REDIS, {}, "Allowed"],
    [
      "decrypt them through Secrets Manager",
      own,
      "kms:Decrypt",
      APP_KEY,
      viaSecretsManager(REDIS),
      "Allowed",
    ],
    [
      "read another secret, even with everything allowed",
      [ALLOW_EVERYTHING, ...own],
      "secretsmanager:GetSecretValue",
      OTHER,
      {},
      "ExplicitlyDenied",
    ],
    [
      "decrypt with the key directly",
      [ALLOW_EVERYTHING, ...own],
      "kms:Decrypt",
      APP_KEY,
      {},
      "ExplicitlyDenied",
    ],
  ])("%s: %s", async (_what, identity, action, resource, context, expected) => {
    await expect(ask(identity, action, resource, context)).resolves.toBe(expected);
  });

  test("without such secrets, every secret value stays denied", async () => {
    const fence = inline(json, "meeting-notes-staging-ci-plan");
    const statements = Object.values(fence).flatMap((p: any) => p.Statement);
    expect(statements.find((s: any) => s.Sid === "DenySecretValues")).toMatchObject({ Resource: "*" });
    expect(statements.some((s: any) => s.Sid === "ReadConnectionDetailSecrets")).toBe(false);
  });
});
