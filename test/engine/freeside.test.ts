import { beforeAll, describe, expect, test } from "vitest";
import { stackWorkspaces } from "../../scripts/stack-workspaces";
import { FREESIDE_FILES, freeside } from "../../stacks/freeside/platform";
import { PLATFORMS } from "../../stacks/platforms";
import { SEED_PRODUCTION_IMPORTS } from "../fixtures/freeside-adoption";
import { EngineStack, requireTerraform, workspaceGuardAddress } from "../support/engine";
import { importOverrides, tftest } from "../support/mocks";
import { synthFreeside, synthRegistry } from "../support/platform";

/**
 * The real Terraform engine on Freeside's stacks (seed 002): `terraform validate`, a mocked apply of
 * each environment, and the workspace guard refusing the wrong workspace.
 */

const ADOPTED_KEY_ID = "0f0e1d2c-aaaa-bbbb-cccc-1234567890ab";
const APPLY_VARS = 'variables {\n    image_tag = "0123abc"\n  }';
const stacks = synthRegistry(PLATFORMS, undefined, [freeside]);
const environments = freeside.environments();

beforeAll(async () => {
  await requireTerraform();
});

describe.concurrent("Freeside in the engine", () => {
  test.each(environments.map((e) => e.environment))(
    "freeside-%s validates and applies with mocks, with the seed's names",
    async (environment) => {
      const name = `freeside-${environment}`;
      const env = environments.find((e) => e.environment === environment)!;
      const stack = await EngineStack.init(`apply-${name}`, stacks[name]!, {
        "apply.tftest.hcl": tftest(`run "apply" {
  command = apply
  ${APPLY_VARS}
  assert {
    condition     = output.ecs_cluster_name == "arrakis-${environment}-cluster"
    error_message = "the cluster keeps the seed's name"
  }
  assert {
    condition     = output.api_service_name == "arrakis-${environment}-api" && output.worker_service_name == "arrakis-${environment}-worker"
    error_message = "the services keep the seed's names"
  }
  assert {
    condition     = length(output.private_subnet_ids) == ${env.network.availabilityZones}
    error_message = "one private subnet per availability zone"
  }
  assert {
    condition     = output.api_url == "https://${env.edge.domainName}"
    error_message = "the API is served on its domain over HTTPS"
  }
}`),
      });
      const validated = await stack.validate();
      expect(validated.output).toContain("The configuration is valid");
      const result = await stack.test({ workspace: stackWorkspaces()[name]! });
      expect(result.output).toMatch(/1 passed, 0 failed/);
      expect(result.ok).toBe(true);
    },
  );

  test("freeside-production adopting the seed's running resources applies with mocks, each import with its override", async () => {
    const files = FREESIDE_FILES.map((f) =>
      f.source.endsWith("production.ts")
        ? {
            source: f.source,
            input: {
              ...(f.input as object),
              // The adoption as synth lets it through: the running repository's name, the running key.
              ecrRepositoryName: "arrakis-api",
              adopt: {
                imports: { ...SEED_PRODUCTION_IMPORTS, "app-key/key": ADOPTED_KEY_ID },
                live: {
                  "image/repository": { name: "arrakis-api" },
                  "database/instance": {
                    kms_key_id: `arn:aws:kms:us-east-1:891376933289:key/${ADOPTED_KEY_ID}`,
                  },
                  "cache/replication-group": {
                    kms_key_id: `arn:aws:kms:us-east-1:891376933289:key/${ADOPTED_KEY_ID}`,
                  },
                },
              },
            },
          }
        : f,
    );
    const json = synthFreeside(files)["freeside-production"]!;
    const imports = (json as { import: { to: string }[] }).import;
    expect(imports).toHaveLength(Object.keys(SEED_PRODUCTION_IMPORTS).length + 1);
    // What AWS would return for the imported resources where the mock cannot know it (the ARNs the provider validates), the key they
    // are encrypted with (the stack's own key, created in the same apply), the load balancer's ARN the
    // listeners name, the certificate's DNS validation record, the database's master secret.
    const key = `"arn:aws:kms:us-east-1:891376933289:key/${ADOPTED_KEY_ID}"`;
    const VALUES: Record<string, string> = {
      aws_secretsmanager_secret: `kms_key_id = ${key}\n    arn = "arn:aws:secretsmanager:us-east-1:891376933289:secret:arrakis-production/adopted-AbCdEf"`,
      aws_iam_role: 'arn = "arn:aws:iam::891376933289:role/adopted"',
      aws_cloudwatch_log_group: `kms_key_id = ${key}`,
      aws_ecr_repository: `encryption_configuration = [{ encryption_type = "KMS", kms_key = ${key} }]`,
      aws_elasticache_replication_group: `kms_key_id = ${key}\n    user_group_ids = ["arrakis-production-cache"]`,
      aws_db_instance: `kms_key_id = ${key}\n    performance_insights_kms_key_id = ${key}\n    master_user_secret_kms_key_id = ${key}\n    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:us-east-1:891376933289:secret:rds!db-0000-AbCdEf", kms_key_id = ${key}, secret_status = "active" }]`,
      aws_kms_key: `arn = ${key}\n    key_id = "${ADOPTED_KEY_ID}"`,
      aws_lb: `arn = "${SEED_PRODUCTION_IMPORTS["edge/load-balancer/alb"]}"\n    arn_suffix = "app/arrakis-production-api/0123456789abcdef"`,
      aws_lb_target_group: `arn = "${SEED_PRODUCTION_IMPORTS["edge/load-balancer/targets"]}"\n    arn_suffix = "targetgroup/arrakis-production-api/0123456789abcdef"`,
      aws_acm_certificate: `arn = "${SEED_PRODUCTION_IMPORTS["edge/certificate"]}"\n    domain_validation_options = [{ domain_name = "api.freeside.example.com", resource_record_name = "_x.api.freeside.example.com.", resource_record_type = "CNAME", resource_record_value = "_y.acm-validations.aws." }]`,
    };
    const overrides = importOverrides(json as never, VALUES);
    const stack = await EngineStack.init("apply-freeside-production-adopted", json, {
      "apply.tftest.hcl": tftest(overrides, `run "apply" {\n  command = apply\n  ${APPLY_VARS}\n}`),
    });
    const result = await stack.test({ workspace: stackWorkspaces()["freeside-production"]! });
    expect(result.output).toMatch(/1 passed, 0 failed/);
  });

  test("freeside-production refuses to plan in the default workspace, naming the command to run", async () => {
    const name = "freeside-production";
    const json = stacks[name]!;
    const stack = await EngineStack.init(`guard-${name}`, json, {
      "guard.tftest.hcl": tftest(`run "wrong_workspace" {
  command = plan
  ${APPLY_VARS}
  expect_failures = [${workspaceGuardAddress(json)}]
}`),
    });
    const result = await stack.test();
    expect(result.output).toMatch(/1 passed, 0 failed/);
  });
});
