import { describe, expect, test } from "vitest";
import { TerraformStateStore, type TerraformStateStoreProps } from "../../constructs/state";
import { parseState, type StateConfig, stores } from "../../environments/state";

const stateInput = stores.default;

import { type StateBackend, StateStack } from "../../stacks/state-stack";
import { ALLOW_EVERYTHING, decide, resolveTokens } from "../support/iam-simulator";
import {
  addresses,
  dataOf,
  onlyResource,
  parsed,
  resourcesOf,
  synthScope,
  synthStackJson,
  type TerraformJson,
  testApp,
} from "../support/synth";

/** A Terraform expression as cdktf writes it into string values. */
const tf = (expression: string) => `\${${expression}}`;

/**
 * Fixed inputs, not the state file: these tests are about what the stack builds from settings, and
 * must hold whatever a user writes in environments/state.ts.
 */
const state: StateConfig = parseState({
  projectName: "meeting-notes",
  region: "us-east-1",
  bucketName: "meeting-notes-terraform-state",
  lockTableName: "meeting-notes-terraform-locks",
  noncurrentVersionRetentionDays: 90,
  githubOidcProvider: true,
  backend: "local",
});

function synthState(overrides: Partial<StateConfig> = {}, backend?: StateBackend): TerraformJson {
  const stack = new StateStack(testApp(), "state", {
    state: { ...state, ...overrides },
    ...(backend ? { backend } : {}),
  });
  return synthStackJson(stack);
}

const KEY_ARN = tf("aws_kms_key.terraform-state_key_2ECAFE84.arn");
const BUCKET_ID = tf("aws_s3_bucket.terraform-state_bucket_326E54A3.id");
const BUCKET_ARN = tf("aws_s3_bucket.terraform-state_bucket_326E54A3.arn");

describe("StateStack", () => {
  const json = synthState();

  test("pins the Terraform addresses of the stateful resources", () => {
    expect(addresses(json)).toEqual(
      expect.arrayContaining([
        "aws_s3_bucket.terraform-state_bucket_326E54A3",
        "aws_dynamodb_table.terraform-state_lock-table_E73D56FA",
        "aws_kms_key.terraform-state_key_2ECAFE84",
        "aws_iam_openid_connect_provider.github-oidc-provider",
      ]),
    );
  });

  describe("backend", () => {
    test("defaults to a local state file at the repository root, outside cdktf.out", () => {
      expect(json.terraform?.backend).toEqual({ local: { path: "../../../terraform.state.tfstate" } });
    });

    test('"s3" stores the stack\'s own state in the bucket it created, with both locks', () => {
      const s3 = synthState({}, "s3").terraform?.backend;
      expect(Object.keys(s3)).toEqual(["s3"]);
      expect(s3.s3).toMatchObject({
        bucket: "meeting-notes-terraform-state",
        key: "state/terraform.tfstate",
        region: "us-east-1",
        dynamodb_table: "meeting-notes-terraform-locks",
        use_lockfile: true,
      });
    });

    test("rejects an unknown mode", () => {
      expect(() => synthState({}, "remote" as StateBackend)).toThrow(
        '`backend` must be "local" or "s3", got "remote". Use "local" for the first apply, then "s3" and terraform init -migrate-state.',
      );
    });
  });

  test("configures the AWS provider from the state settings, with default tags and a qualified source", () => {
    expect(json.provider?.aws).toEqual([
      {
        region: "us-east-1",
        default_tags: [{ tags: { Project: "meeting-notes", Stack: "state", ManagedBy: "cdktf" } }],
      },
    ]);
    expect(json.terraform?.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "5.100.0" });
    expect(synthState({ region: "eu-west-1" }).provider?.aws[0].region).toBe("eu-west-1");
  });

  describe("state bucket", () => {
    test("is named from the settings, never force-destroyed and protected from destroy", () => {
      const bucket = onlyResource(json, "aws_s3_bucket");
      expect(bucket.bucket).toBe("meeting-notes-terraform-state");
      expect(bucket.force_destroy).toBe(false);
      expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    });

    test("keeps every version", () => {
      const versioning = onlyResource(json, "aws_s3_bucket_versioning");
      expect(versioning.bucket).toBe(BUCKET_ID);
      expect(versioning.versioning_configuration).toEqual({ status: "Enabled" });
    });

    test("encrypts objects with the state key by default, with an S3 bucket key", () => {
      const sse = onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration");
      expect(sse.bucket).toBe(BUCKET_ID);
      expect(sse.rule).toEqual([
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY_ARN },
          bucket_key_enabled: true,
        },
      ]);
    });

    test("blocks every form of public access", () => {
      expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toEqual({
        bucket: BUCKET_ID,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    });

    test("disables ACLs (bucket owner enforced)", () => {
      const ownership = onlyResource(json, "aws_s3_bucket_ownership_controls");
      expect(ownership.rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    });

    test("denies requests without TLS to the bucket and its objects", () => {
      const policy = onlyResource(json, "aws_s3_bucket_policy");
      expect(policy.bucket).toBe(BUCKET_ID);
      expect(policy.depends_on).toEqual([
        "aws_s3_bucket_public_access_block.terraform-state_public-access-block_33212DF6",
      ]);
      expect(parsed(policy.policy).Statement[0]).toEqual({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    });

    describe("a CI role reaches only its own workspace's states (evaluated for concrete requests)", () => {
      const bucket = state.bucketName;
      const object = (key: string) => `arn:aws:s3:::${bucket}/${key}`;
      const staging = "arn:aws:iam::123456789012:role/meeting-notes-staging-ci-deploy";
      const admin = "arn:aws:iam::123456789012:role/Admin";
      test.each([
        [staging, "staging", "s3:GetObject", "workspaces/staging/staging/terraform.tfstate", "Allowed"],
        [
          staging,
          "staging",
          "s3:PutObject",
          "workspaces/staging/staging-grafana/terraform.tfstate.tflock",
          "Allowed",
        ],
        [staging, "staging", "s3:GetObject", "workspaces/prod/prod/terraform.tfstate", "ExplicitlyDenied"],
        [staging, "staging", "s3:PutObject", "workspaces/prod/prod/terraform.tfstate", "ExplicitlyDenied"],
        [staging, "staging", "s3:DeleteObject", "state/terraform.tfstate", "ExplicitlyDenied"],
        [admin, undefined, "s3:GetObject", "workspaces/prod/prod/terraform.tfstate", "Allowed"],
      ] as const)(
        "%s (workspace tag %s): %s on %s is %s",
        async (principal, workspace, action, key, expected) => {
          const policy = resolveTokens(onlyResource(json, "aws_s3_bucket_policy").policy, {
            "aws_s3_bucket.terraform-state_bucket_326E54A3.arn": `arn:aws:s3:::${bucket}`,
          });
          await expect(
            decide({
              principal,
              action,
              resource: object(key),
              identity: [ALLOW_EVERYTHING],
              resourcePolicy: policy,
              context: {
                "aws:SecureTransport": "true",
                ...(workspace ? { "aws:PrincipalTag/TerraformWorkspace": workspace } : {}),
              },
            }),
          ).resolves.toBe(expected);
        },
      );
    });

    test("expires noncurrent versions after the retention (default 90 days) and aborts stale uploads after 7 days", () => {
      const lifecycle = onlyResource(json, "aws_s3_bucket_lifecycle_configuration");
      expect(lifecycle.depends_on).toEqual(["aws_s3_bucket_versioning.terraform-state_versioning_30AD31E1"]);
      expect(lifecycle.rule).toEqual([
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrent_version_expiration: [{ noncurrent_days: 90 }],
          expiration: [{ expired_object_delete_marker: true }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{}],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ]);
    });

    test("takes the noncurrent version retention from the settings", () => {
      const lifecycle = onlyResource(
        synthState({ noncurrentVersionRetentionDays: 30 }),
        "aws_s3_bucket_lifecycle_configuration",
      );
      expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    });
  });

  describe("state key", () => {
    test("is a rotated customer-managed key, protected from destroy, usable through IAM policies", () => {
      const key = onlyResource(json, "aws_kms_key");
      const [partition] = Object.keys(dataOf(json, "aws_partition"));
      const [account] = Object.keys(dataOf(json, "aws_caller_identity"));
      expect(key.enable_key_rotation).toBe(true);
      expect(key.deletion_window_in_days).toBe(30);
      expect(key.key_usage).toBe("ENCRYPT_DECRYPT");
      expect(key.lifecycle).toEqual({ prevent_destroy: true });
      expect(parsed(key.policy).Statement).toEqual([
        {
          Sid: "AccountRootFullAccess",
          Effect: "Allow",
          Principal: {
            AWS: `arn:\${data.aws_partition.${partition}.partition}:iam::\${data.aws_caller_identity.${account}.account_id}:root`,
          },
          Action: "kms:*",
          Resource: "*",
        },
      ]);
    });

    test("has an alias named after the bucket", () => {
      const alias = onlyResource(json, "aws_kms_alias");
      expect(alias.name).toBe("alias/meeting-notes-terraform-state");
      expect(alias.target_key_id).toBe(tf("aws_kms_key.terraform-state_key_2ECAFE84.key_id"));
    });
  });

  describe("lock table", () => {
    test("has the S3 backend's LockID string hash key and on-demand billing", () => {
      const table = onlyResource(json, "aws_dynamodb_table");
      expect(table.name).toBe("meeting-notes-terraform-locks");
      expect(table.hash_key).toBe("LockID");
      expect(table.attribute).toEqual([{ name: "LockID", type: "S" }]);
      expect(table.billing_mode).toBe("PAY_PER_REQUEST");
    });

    test("is recoverable, encrypted with the state key and protected from deletion", () => {
      const table = onlyResource(json, "aws_dynamodb_table");
      expect(table.point_in_time_recovery).toEqual({ enabled: true });
      expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: KEY_ARN });
      expect(table.deletion_protection_enabled).toBe(true);
      expect(table.lifecycle).toEqual({ prevent_destroy: true });
    });
  });

  describe("GitHub Actions OIDC provider", () => {
    test("is created for GitHub's issuer and the STS audience, without pinned thumbprints", () => {
      const provider = onlyResource(json, "aws_iam_openid_connect_provider");
      expect(provider.url).toBe("https://token.actions.githubusercontent.com");
      expect(provider.client_id_list).toEqual(["sts.amazonaws.com"]);
      expect(provider).not.toHaveProperty("thumbprint_list");
    });

    test("is left out, with its output, when githubOidcProvider is false", () => {
      const without = synthState({ githubOidcProvider: false });
      expect(resourcesOf(without, "aws_iam_openid_connect_provider")).toEqual({});
      expect(without.output).not.toHaveProperty("github_oidc_provider_arn");
    });
  });

  test("outputs the bucket, table, key and provider with descriptions", () => {
    expect(json.output).toEqual({
      state_bucket_name: {
        value: tf("aws_s3_bucket.terraform-state_bucket_326E54A3.bucket"),
        description: "S3 bucket holding every stack's Terraform state",
      },
      lock_table_name: {
        value: tf("aws_dynamodb_table.terraform-state_lock-table_E73D56FA.name"),
        description: "DynamoDB table the S3 backend locks states in",
      },
      state_kms_key_arn: {
        value: KEY_ARN,
        description: "KMS key encrypting the state bucket and the lock table",
      },
      github_oidc_provider_arn: {
        value: tf("aws_iam_openid_connect_provider.github-oidc-provider.arn"),
        description: "IAM OIDC provider GitHub Actions jobs authenticate with (trusted by the CI roles)",
      },
    });
  });
});

describe("parseState", () => {
  test.each([
    [
      { bucketName: "Bad_Bucket" },
      'environments/state.ts: `stores.default.bucketName` must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), got "Bad_Bucket". See README.md (Remote state) for the accepted values.',
    ],
    [
      { region: "mars" },
      'environments/state.ts: `stores.default.region` must be an AWS region name such as us-east-1, got "mars". See README.md (Remote state) for the accepted values.',
    ],
    [
      { lockTableName: "x" },
      'environments/state.ts: `stores.default.lockTableName` must be a valid DynamoDB table name, got "x". See README.md (Remote state) for the accepted values.',
    ],
  ])("rejects %j", (patch, message) => {
    expect(() => parseState({ ...stateInput, ...patch })).toThrow(message);
  });
});

describe("TerraformStateStore", () => {
  const props: TerraformStateStoreProps = {
    bucketName: "my-state",
    lockTableName: "my-locks",
  };
  const store = (overrides: Partial<TerraformStateStoreProps>) =>
    synthScope((scope) => new TerraformStateStore(scope, "store", { ...props, ...overrides }));

  test("replaces dots of the bucket name in the key alias (aliases allow no dots)", () => {
    const alias = onlyResource(store({ bucketName: "state.example.com" }), "aws_kms_alias");
    expect(alias.name).toBe("alias/state-example-com");
  });

  const BUCKET_RULE =
    "must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, not an IP address)";
  const BUCKET_FIX = "Pick a globally unique name such as my-project-terraform-state-123456789012.";
  const RETENTION_RULE =
    "must be a whole number from 1 to 3650 (S3 lifecycle rules count whole days; 3650 keeps ten years)";
  const RETENTION_FIX = "Set it to a whole number from 1 to 3650.";

  test.each([
    [{ bucketName: "ab" }, `\`bucketName\` ${BUCKET_RULE}, got "ab". ${BUCKET_FIX}`],
    [{ bucketName: "my..state" }, `\`bucketName\` ${BUCKET_RULE}, got "my..state". ${BUCKET_FIX}`],
    [{ bucketName: "10.0.0.1" }, `\`bucketName\` ${BUCKET_RULE}, got "10.0.0.1". ${BUCKET_FIX}`],
    [{ bucketName: "My-State" }, `\`bucketName\` ${BUCKET_RULE}, got "My-State". ${BUCKET_FIX}`],
    [
      { lockTableName: "x" },
      '`lockTableName` must be a DynamoDB table name (3 to 255 letters, digits, _, . and -), got "x". Use a name such as my-project-terraform-locks.',
    ],
    [
      { noncurrentVersionRetentionDays: 0 },
      `\`noncurrentVersionRetentionDays\` ${RETENTION_RULE}, got 0. ${RETENTION_FIX}`,
    ],
    [
      { noncurrentVersionRetentionDays: 3651 },
      `\`noncurrentVersionRetentionDays\` ${RETENTION_RULE}, got 3651. ${RETENTION_FIX}`,
    ],
    [
      { noncurrentVersionRetentionDays: 1.5 },
      `\`noncurrentVersionRetentionDays\` ${RETENTION_RULE}, got 1.5. ${RETENTION_FIX}`,
    ],
  ])("rejects %j", (overrides, message) => {
    expect(() => store(overrides)).toThrow(message);
  });
});
