import { TerraformVariable } from "cdktf";
import { describe, expect, test } from "vitest";
import { GithubDeployRoles, type GithubDeployRolesProps } from "../../constructs/ci";
import { dataOf, parsed, resourcesOf, synthScope, type TerraformJson } from "../support/synth";

/** A Terraform expression as cdktf writes it into string values. */
const tf = (expression: string) => `\${${expression}}`;

const props: GithubDeployRolesProps = {
  naming: { projectName: "meeting-notes", environment: "staging" },
  githubRepository: "example-org/meeting-notes",
  githubEnvironment: "staging",
  stateBucketName: "meeting-notes-terraform-state",
  lockTableName: "meeting-notes-terraform-locks",
};

function synthRoles(overrides: Partial<GithubDeployRolesProps> = {}): TerraformJson {
  return synthScope((scope) => new GithubDeployRoles(scope, "ci", { ...props, ...overrides }));
}

const json = synthRoles();
const onlyKey = (record: Record<string, unknown>) => {
  const keys = Object.keys(record);
  if (keys.length !== 1) throw new Error(`expected one entry, found ${keys.length}`);
  return keys[0]!;
};
const PARTITION = tf(`data.aws_partition.${onlyKey(dataOf(json, "aws_partition"))}.partition`);
const ACCOUNT = tf(`data.aws_caller_identity.${onlyKey(dataOf(json, "aws_caller_identity"))}.account_id`);
const PROVIDER = onlyKey(dataOf(json, "aws_iam_openid_connect_provider"));

function roleNamed(source: TerraformJson, name: string): { address: string; role: any } {
  const entry = Object.entries(resourcesOf(source, "aws_iam_role")).find(([, role]) => role.name === name);
  if (!entry) throw new Error(`no role named ${name}`);
  return { address: entry[0], role: entry[1] };
}

/** Inline policies of a role, by policy name, parsed. */
function inlinePolicies(source: TerraformJson, roleAddress: string): Record<string, any> {
  const policies = Object.values(resourcesOf(source, "aws_iam_role_policy")).filter(
    (p) => p.role === `\${aws_iam_role.${roleAddress}.id}`,
  );
  return Object.fromEntries(policies.map((p) => [p.name, parsed(p.policy)]));
}

function attachedPolicies(source: TerraformJson, roleAddress: string): string[] {
  return Object.values(resourcesOf(source, "aws_iam_role_policy_attachment"))
    .filter((a) => a.role === `\${aws_iam_role.${roleAddress}.name}`)
    .map((a) => a.policy_arn);
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const plan = roleNamed(json, "meeting-notes-staging-ci-plan");
const deploy = roleNamed(json, "meeting-notes-staging-ci-deploy");

describe("GithubDeployRoles", () => {
  test("looks the account's GitHub OIDC provider up by its URL", () => {
    expect(dataOf(json, "aws_iam_openid_connect_provider")[PROVIDER]).toEqual({
      url: "https://token.actions.githubusercontent.com",
    });
  });

  test("names the roles <project>-<env>-ci-plan and -ci-deploy, with one-hour sessions", () => {
    expect(
      Object.values(resourcesOf(json, "aws_iam_role"))
        .map((r) => r.name)
        .sort(),
    ).toEqual(["meeting-notes-staging-ci-deploy", "meeting-notes-staging-ci-plan"]);
    expect(plan.role.max_session_duration).toBe(3600);
    expect(deploy.role.max_session_duration).toBe(3600);
  });

  test("lets any workflow run of the repository assume the plan role, with the STS audience", () => {
    expect(parsed(plan.role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `\${data.aws_iam_openid_connect_provider.${PROVIDER}.arn}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/meeting-notes:*" },
          },
        },
      ],
    });
  });

  test("lets only jobs in the GitHub environment assume the deploy role (exact subject)", () => {
    expect(parsed(deploy.role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `\${data.aws_iam_openid_connect_provider.${PROVIDER}.arn}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:example-org/meeting-notes:environment:staging",
            },
          },
        },
      ],
    });
  });

  test("the deploy subject follows githubEnvironment (prod deploys from sandbox)", () => {
    const prod = synthRoles({
      naming: { projectName: "meeting-notes", environment: "prod" },
      githubEnvironment: "sandbox",
    });
    const role = roleNamed(prod, "meeting-notes-prod-ci-deploy").role;
    expect(parsed(role.assume_role_policy).Statement[0].Condition.StringEquals).toEqual({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": "repo:example-org/meeting-notes:environment:sandbox",
    });
  });

  test("attaches ReadOnlyAccess to the plan role and PowerUserAccess to the deploy role, nothing else", () => {
    expect(attachedPolicies(json, plan.address)).toEqual([`arn:${PARTITION}:iam::aws:policy/ReadOnlyAccess`]);
    expect(attachedPolicies(json, deploy.address)).toEqual([
      `arn:${PARTITION}:iam::aws:policy/PowerUserAccess`,
    ]);
    expect(Object.keys(resourcesOf(json, "aws_iam_role_policy_attachment"))).toHaveLength(2);
  });

  describe("state access (both roles)", () => {
    const bucket = `arn:${PARTITION}:s3:::meeting-notes-terraform-state`;

    const lockTable = {
      Sid: "UseLockTable",
      Effect: "Allow",
      Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      Resource: `arn:${PARTITION}:dynamodb:*:${ACCOUNT}:table/meeting-notes-terraform-locks`,
    };

    test("deploys read and write states and lock files, and use the lock table", () => {
      expect(inlinePolicies(json, deploy.address)["terraform-state"].Statement.slice(0, 3)).toEqual([
        { Sid: "ListStateBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
        {
          Sid: "ReadWriteStatesAndLockFiles",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: `${bucket}/*`,
        },
        lockTable,
      ]);
    });

    test("plans read states but write only lock files, so a pull request cannot rewrite a state", () => {
      expect(inlinePolicies(json, plan.address)["terraform-state"].Statement.slice(0, 4)).toEqual([
        { Sid: "ListStateBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
        { Sid: "ReadStates", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucket}/*` },
        {
          Sid: "WriteLockFiles",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:DeleteObject"],
          Resource: `${bucket}/*.tflock`,
        },
        lockTable,
      ]);
    });

    test("without the key ARN, uses the account's keys only through S3 and DynamoDB", () => {
      const kms = inlinePolicies(json, plan.address)["terraform-state"].Statement.at(-1);
      expect(kms).toEqual({
        Sid: "UseStateKeyThroughS3AndDynamoDb",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: `arn:${PARTITION}:kms:*:${ACCOUNT}:key/*`,
        Condition: { StringLike: { "kms:ViaService": ["s3.*", "dynamodb.*"] } },
      });
    });

    test("with the key ARN, uses that key only", () => {
      const keyArn = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
      const withKey = synthRoles({ stateKmsKeyArn: keyArn });
      const address = roleNamed(withKey, "meeting-notes-staging-ci-plan").address;
      expect(inlinePolicies(withKey, address)["terraform-state"].Statement.at(-1)).toEqual({
        Sid: "UseStateKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: keyArn,
      });
    });

    test("the plan role has no other inline policy", () => {
      expect(Object.keys(inlinePolicies(json, plan.address))).toEqual(["terraform-state"]);
    });
  });

  describe("deploy role IAM access", () => {
    const iam = inlinePolicies(json, deploy.address)["environment-iam"].Statement as any[];
    const bySid = (sid: string) => {
      const statement = iam.find((s) => s.Sid === sid);
      if (!statement) throw new Error(`no statement ${sid}`);
      return statement;
    };
    const prefix = `arn:${PARTITION}:iam::${ACCOUNT}`;

    test("manages only roles, policies and instance profiles named <project>-<env>-*", () => {
      expect(bySid("ManageEnvironmentRoles").Resource).toBe(`${prefix}:role/meeting-notes-staging-*`);
      expect(bySid("ManageEnvironmentRoles").Action).toEqual(
        expect.arrayContaining([
          "iam:CreateRole",
          "iam:DeleteRole",
          "iam:GetRole",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:PutRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:GetRolePolicy",
          "iam:AttachRolePolicy",
          "iam:DetachRolePolicy",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
          "iam:UpdateRole",
        ]),
      );
      expect(bySid("ManageEnvironmentPolicies").Resource).toBe(`${prefix}:policy/meeting-notes-staging-*`);
      expect(bySid("ManageEnvironmentInstanceProfiles").Resource).toBe(
        `${prefix}:instance-profile/meeting-notes-staging-*`,
      );
    });

    test("passes only the environment's roles", () => {
      expect(bySid("PassEnvironmentRoles")).toEqual({
        Sid: "PassEnvironmentRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `${prefix}:role/meeting-notes-staging-*`,
      });
    });

    test("never allows iam:PassRole (or any IAM write) on *, in any policy of either role", () => {
      const allows = Object.values(resourcesOf(json, "aws_iam_role_policy"))
        .flatMap((p) => parsed(p.policy).Statement as any[])
        .filter((s) => s.Effect === "Allow");
      const passRole = allows.filter((s) =>
        asList(s.Action).some((a) => a === "iam:PassRole" || a === "iam:*"),
      );
      expect(passRole).toHaveLength(1);
      // The only IAM action allowed on every resource is listing OIDC providers (it has no resource scope).
      const iamOnEverything = allows.filter(
        (s) => asList(s.Action).some((a) => a.startsWith("iam:")) && asList(s.Resource).includes("*"),
      );
      expect(iamOnEverything.map((s) => s.Action)).toEqual(["iam:ListOpenIDConnectProviders"]);
    });

    test("creates service-linked roles only for the services the environment uses", () => {
      expect(bySid("CreateServiceLinkedRoles")).toEqual({
        Sid: "CreateServiceLinkedRoles",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: `${prefix}:role/aws-service-role/*`,
        Condition: {
          StringEquals: {
            "iam:AWSServiceName": [
              "ecs.amazonaws.com",
              "elasticloadbalancing.amazonaws.com",
              "grafana.amazonaws.com",
              "autoscaling.amazonaws.com",
              "ecs.application-autoscaling.amazonaws.com",
            ],
          },
        },
      });
    });

    test("can read the GitHub OIDC provider the stack looks up", () => {
      expect(bySid("ReadGithubOidcProvider").Resource).toBe(
        `${prefix}:oidc-provider/token.actions.githubusercontent.com`,
      );
      expect(bySid("ListOidcProviders")).toEqual({
        Sid: "ListOidcProviders",
        Effect: "Allow",
        Action: "iam:ListOpenIDConnectProviders",
        Resource: "*",
      });
    });

    test("cannot change or pass the CI roles themselves", () => {
      const deny = bySid("ProtectCiRoles");
      expect(deny.Effect).toBe("Deny");
      expect(deny.Resource).toBe(`${prefix}:role/meeting-notes-staging-ci-*`);
      expect(deny.Action).toEqual(
        expect.arrayContaining([
          "iam:PassRole",
          "iam:PutRolePolicy",
          "iam:AttachRolePolicy",
          "iam:UpdateAssumeRolePolicy",
          "iam:DeleteRole",
        ]),
      );
    });
  });

  test("skips validation of values known only at apply time", () => {
    const withToken = synthScope((scope) => {
      const repository = new TerraformVariable(scope, "repository", { type: "string" });
      new GithubDeployRoles(scope, "ci", { ...props, githubRepository: repository.stringValue });
    });
    const role = roleNamed(withToken, "meeting-notes-staging-ci-plan").role;
    expect(parsed(role.assume_role_policy).Statement[0].Condition.StringLike).toEqual({
      "token.actions.githubusercontent.com:sub": `repo:${tf("var.repository")}:*`,
    });
  });

  const REPOSITORY =
    "`githubRepository` must be a GitHub repository as owner/name (letters, digits, _, . and -), got %s. Use the repository's path on github.com, for example example-org/meeting-notes.";
  const ENVIRONMENT =
    "`githubEnvironment` must be a GitHub Actions environment name of 1 to 255 letters, digits, _, . and - (it is matched exactly in the OIDC subject), got %s. Use the environment's name as shown under Settings > Environments, for example staging.";
  const KEY =
    "`stateKmsKeyArn` must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias, got %s. Use the state stack's state_kms_key_arn output, or leave it out.";

  test.each([
    [{ githubRepository: "meeting-notes" }, REPOSITORY.replace("%s", '"meeting-notes"')],
    [
      { githubRepository: "example-org/meeting-notes/x" },
      REPOSITORY.replace("%s", '"example-org/meeting-notes/x"'),
    ],
    [{ githubRepository: "example-org/*" }, REPOSITORY.replace("%s", '"example-org/*"')],
    [{ githubEnvironment: "" }, ENVIRONMENT.replace("%s", '""')],
    [{ githubEnvironment: "*" }, ENVIRONMENT.replace("%s", '"*"')],
    [{ githubEnvironment: "staging:x" }, ENVIRONMENT.replace("%s", '"staging:x"')],
    [
      { stateKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/state" },
      KEY.replace("%s", '"arn:aws:kms:us-east-1:123456789012:alias/state"'),
    ],
  ])("rejects %j", (overrides, message) => {
    expect(() => synthRoles(overrides)).toThrow(message);
  });
});
