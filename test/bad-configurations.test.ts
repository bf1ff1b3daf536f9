/**
 * Bad or unusual settings a user may write, each rejected at synth with the file, the full field
 * path, the value and the fix, before Terraform ever runs. One row per input, with the exact message.
 */
import { describe, expect, test } from "vitest";
import prod from "../environments/meeting-notes/prod";
import staging from "../environments/meeting-notes/staging";
import { stores } from "../environments/state";
import { type EnvironmentFile, SHIPPED_FILES, synthEnvironmentFiles } from "./support/platform";

const STAGING = "environments/meeting-notes/staging.ts";
const PROD = "environments/meeting-notes/prod.ts";
const SETTINGS = "See README.md (Environment settings) for the accepted values.";
const withStaging = (overrides: Record<string, unknown>): EnvironmentFile[] => [
  { input: { ...staging, ...overrides }, source: STAGING },
  SHIPPED_FILES[1]!,
];

/** prod's `<project>-<environment>`, and the same text split differently into project and environment. */
const PROD_PREFIX = `${prod.projectName}-${prod.environment}`;
const SPLIT = {
  project: PROD_PREFIX.slice(0, PROD_PREFIX.indexOf("-")),
  environment: PROD_PREFIX.slice(PROD_PREFIX.indexOf("-") + 1),
};

const rows: [string, EnvironmentFile[], string, Record<string, unknown>?][] = [
  // Tags AWS would refuse, or that would silently replace the platform's own.
  [
    "a tag with the aws: prefix",
    withStaging({ tags: { "aws:owner": "me" } }),
    `${STAGING}: \`tags.aws:owner\` keys must not start with aws: (AWS reserves that prefix), got "aws:owner". ${SETTINGS}`,
  ],
  [
    "a tag key over 128 characters",
    withStaging({ tags: { ["k".repeat(129)]: "v" } }),
    `${STAGING}: \`tags.${"k".repeat(129)}\` keys must be at most 128 characters, got "${"k".repeat(40)}"... (129 characters). ${SETTINGS}`,
  ],
  [
    "a tag value over 256 characters",
    withStaging({ tags: { team: "v".repeat(257) } }),
    `${STAGING}: \`tags.team\` values must be at most 256 characters, got "${"v".repeat(40)}"... (257 characters). ${SETTINGS}`,
  ],
  [
    "an empty tag key",
    withStaging({ tags: { "": "v" } }),
    `${STAGING}: \`tags[""]\` keys must not be empty, got "". ${SETTINGS}`,
  ],
  [
    "a tag that overrides Environment",
    withStaging({ tags: { Environment: "prod" } }),
    `${STAGING}: \`tags.Environment\` keys must not be Project, Environment, TerraformWorkspace, ManagedBy (the platform sets those), got "Environment". ${SETTINGS}`,
  ],
  // Values AWS rejects at apply.
  [
    "a region that does not exist",
    withStaging({ region: "us-east-7" }),
    `${STAGING}: \`region\` must be an AWS region (constructs/core/aws-limits.ts lists them), got "us-east-7". ${SETTINGS}`,
  ],
  [
    "a CIDR with a leading zero",
    withStaging({ network: { cidr: "10.020.0.0/16" } }),
    `${STAGING}: \`network.cidr\` must be an IPv4 CIDR block such as 10.0.0.0/16, got "10.020.0.0/16". Write four numbers from 0 to 255 without leading zeros, separated by dots, a slash and a prefix length.`,
  ],
  [
    "a CIDR with host bits set",
    withStaging({ network: { cidr: "10.20.1.0/16" } }),
    `${STAGING}: \`network.cidr\` must be a network address (host bits all zero), got "10.20.1.0/16". Use 10.20.0.0/16.`,
  ],
  [
    "a health-check path over 1024 characters",
    withStaging({
      apiDomain: "api.staging.example.com",
      hostedZoneName: "example.com",
      service: { healthCheckPath: `/${"h".repeat(1024)}` },
    }),
    `${STAGING}: \`service.healthCheckPath\` must be at most 1024 characters (the target group's limit), got "/${"h".repeat(39)}... (1025 characters)". Use a short path such as /health.`,
  ],
  [
    "a Grafana version Amazon Managed Grafana does not offer",
    withStaging({ observability: { grafanaVersion: "12.9" } }),
    `${STAGING}: \`observability.grafanaVersion\` must be a version Amazon Managed Grafana offers (8.4, 9.4, 10.4, 12.4), got "12.9". Use "12.4".`,
  ],
  [
    "a Grafana version without the Prometheus data source",
    withStaging({ observability: { grafanaVersion: "10.4" } }),
    `${STAGING}: \`observability.grafanaVersion\` must be 12 or later (the Amazon Managed Prometheus data source needs it), got "10.4". Use "12.4".`,
  ],
  [
    "a GitHub repository ending in .git",
    withStaging({ ci: { githubRepository: "example-org/meeting-notes.git", githubEnvironment: "staging" } }),
    `${STAGING}: \`ci.githubRepository\` must be the repository's owner/name without .git (GitHub's OIDC tokens name it so; the roles could never be assumed), got "example-org/meeting-notes.git". Use example-org/meeting-notes.`,
  ],
  [
    "a GitHub environment with a space",
    withStaging({ ci: { githubRepository: "example-org/meeting-notes", githubEnvironment: "staging env" } }),
    `${STAGING}: \`ci.githubEnvironment\` must be a GitHub Actions environment name of 1 to 255 letters, digits, _, . and - (it is matched exactly in the OIDC subject), got "staging env". Use the environment's name as shown under Settings > Environments, for example staging.`,
  ],
  // Messages in the project's style, with the full path.
  [
    "an unknown key, with the closest known one",
    withStaging({ network: { cidrr: "10.20.0.0/16" } }),
    `${STAGING}: \`network.cidrr\` is not a known setting, got "cidrr". Did you mean \`network.cidr\`? Remove it, or check its spelling against README.md (Environment settings).`,
  ],
  [
    "an unknown top-level key",
    withStaging({ alertEmial: "a@b.co" }),
    `${STAGING}: \`alertEmial\` is not a known setting, got "alertEmial". Did you mean \`alertEmail\`? Remove it, or check its spelling against README.md (Environment settings).`,
  ],
  [
    "a negative task count",
    withStaging({ service: { desiredCount: -1 } }),
    `${STAGING}: \`service.desiredCount\` must be at least 0, got -1. ${SETTINGS}`,
  ],
  [
    "a fraction where a whole number belongs",
    withStaging({ service: { desiredCount: 1.5 } }),
    `${STAGING}: \`service.desiredCount\` must be a whole number, got 1.5. ${SETTINGS}`,
  ],
  [
    "a string where a number belongs",
    withStaging({ service: { cpu: "256" } }),
    `${STAGING}: \`service.cpu\` must be a number, got "256". ${SETTINGS}`,
  ],
  // Rules on values the constructs default: checked by the construct, reported in the file's words.
  [
    "memory that does not suit the CPU",
    withStaging({ service: { cpu: 256, memoryMiB: 4096 } }),
    `${STAGING}: \`service.memoryMiB\` must be one of 512, 1024, 2048 for \`service.cpu\` 256 (Fargate's valid combinations), got 4096. Pick a listed size, or change \`service.cpu\`.`,
  ],
  [
    "memory left out, for a CPU its default memory does not suit",
    withStaging({ service: { cpu: 1024 } }),
    `${STAGING}: \`service.memoryMiB\` must be one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 for \`service.cpu\` 1024 (Fargate's valid combinations), got 512. Pick a listed size, or change \`service.cpu\`. (The file does not set \`service.memoryMiB\`: the value is its default.)`,
  ],
  [
    "a CPU size Fargate does not offer",
    withStaging({ service: { cpu: 300 } }),
    `${STAGING}: \`service.cpu\` must be a Fargate CPU size (256, 512, 1024, 2048, 4096), got 300. Pick one of the listed sizes.`,
  ],
  [
    "autoscaling with max below min",
    withStaging({ service: { autoscaling: { minCount: 3, maxCount: 2 } } }),
    `${STAGING}: \`service.autoscaling.maxCount\` must be at least \`service.autoscaling.minCount\` (3), got 2. Raise \`service.autoscaling.maxCount\` or lower \`service.autoscaling.minCount\`.`,
  ],
  [
    "no NAT and no endpoints",
    withStaging({ network: { natGateways: "none", vpcEndpoints: false } }),
    `${STAGING}: \`network.vpcEndpoints\` must not be false when \`network.natGateways\` is "none" (private subnets would reach neither ECR, CloudWatch Logs nor Secrets Manager), got false. Leave \`network.vpcEndpoints\` unset or set it to true, or set \`network.natGateways\` to "single" or "perAz".`,
  ],
  [
    "a rotation interval the token lifetime cannot cover",
    withStaging({ observability: { tokenRotationIntervalDays: 26 } }),
    `${STAGING}: \`observability.tokenRotationIntervalDays\` must be a whole number from 1 to 25 (token TTL is interval + 5 days, and Amazon Managed Grafana allows 30), got 26. Set it to 25 or less.`,
  ],
  [
    "a retention left out, below the floor deletion protection sets",
    withStaging({ deletionProtection: true, logRetentionDays: undefined }),
    `${STAGING}: \`logRetentionDays\` must be at least logRetentionFloorDays (90, the default with deletionProtection on), got 30. The file does not set it, and 30 is its default: set it to 90 or more, or lower logRetentionFloorDays.`,
  ],
  // Environments that collide with each other.
  [
    "two environments with one name",
    [SHIPPED_FILES[0]!, { input: { ...prod, environment: "staging" }, source: PROD }],
    `${PROD}: \`environment\` must be unique in platform meeting-notes, got "staging": ${STAGING} has that name too. Rename one of the environments.`,
  ],
  [
    "an environment named like another's Grafana stack",
    [
      ...SHIPPED_FILES,
      {
        input: { ...staging, environment: "staging-grafana", network: { cidr: "10.40.0.0/16" } },
        source: "environments/qa.ts",
      },
    ],
    `environments/qa.ts: \`environment\` must give stack ids that no other stack of the app has, got "staging-grafana": platform meeting-notes builds stack "staging-grafana" from it, and that id is also built by platform meeting-notes from ${STAGING} (environment "staging"). Rename the environment (or the other one).`,
  ],
  [
    "a name prefix that begins another environment's",
    [
      ...SHIPPED_FILES,
      {
        input: { ...staging, projectName: SPLIT.project, environment: SPLIT.environment },
        source: "environments/notes.ts",
      },
    ],
    `environments/notes.ts: \`environment\` must not give the same name prefix as another environment, got project "${SPLIT.project}" and environment "${SPLIT.environment}": its resources are named ${PROD_PREFIX}-*, exactly as those of ${PROD} (platform meeting-notes, project "${prod.projectName}", environment "${prod.environment}"). Rename one of the environments (or projects).`,
  ],
  [
    "an environment whose prefix a later one would extend",
    [
      ...SHIPPED_FILES,
      {
        input: {
          ...prod,
          environment: `${prod.environment}-eu`,
          network: { ...prod.network, cidr: "10.50.0.0/16" },
        },
        source: "environments/prod-eu.ts",
      },
    ],
    `environments/prod-eu.ts: \`environment\` must not make a name prefix that begins another environment's, got "${prod.environment}-eu": its resources are named ${PROD_PREFIX}-eu-*, which ${PROD} (platform meeting-notes, project "${prod.projectName}", environment "${prod.environment}") (${PROD_PREFIX}-*) also covers. Rename one of the environments (or projects).`,
  ],
  // The state store.
  [
    "a state bucket with a reserved prefix",
    [...SHIPPED_FILES],
    `environments/state.ts: \`stores.default.bucketName\` must not start with xn--, sthree-, amzn-s3-demo- (S3 reserves them), got "xn--meeting-notes-state". See README.md (Remote state) for the accepted values.`,
    { bucketName: "xn--meeting-notes-state" },
  ],
  [
    "a state bucket with a reserved suffix",
    [...SHIPPED_FILES],
    `environments/state.ts: \`stores.default.bucketName\` must not end with -s3alias, --ol-s3, .mrap, --x-s3, --table-s3 (S3 reserves them), got "meeting-notes-state-s3alias". See README.md (Remote state) for the accepted values.`,
    { bucketName: "meeting-notes-state-s3alias" },
  ],
  [
    "a misspelt state setting, with the closest known one",
    [...SHIPPED_FILES],
    'environments/state.ts: `stores.default.bucketNmae` is not a known setting, got "bucketNmae". Did you mean `stores.default.bucketName`? Remove it, or check its spelling against README.md (Remote state).',
    { bucketNmae: "x" },
  ],
  [
    "a state region that does not exist",
    [...SHIPPED_FILES],
    `environments/state.ts: \`stores.default.region\` must be an AWS region (constructs/core/aws-limits.ts lists them), got "eu-moon-1". See README.md (Remote state) for the accepted values.`,
    { region: "eu-moon-1" },
  ],
];

describe("bad configurations are rejected at synth with the file, the field path, the value and the fix", () => {
  test.each(rows)("%s", (_what, files, message, stateOverrides) => {
    expect(() => synthEnvironmentFiles(files, { default: { ...stores.default, ...stateOverrides } })).toThrow(
      message,
    );
  });

  test("the shipped files pass", () => {
    expect(() => synthEnvironmentFiles(SHIPPED_FILES)).not.toThrow();
  });
});
