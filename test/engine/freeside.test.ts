import { beforeAll, describe, expect, test } from "vitest";
import { stackWorkspaces } from "../../scripts/stack-workspaces";
import { freeside } from "../../stacks/freeside/platform";
import { PLATFORMS } from "../../stacks/platforms";
import { EngineStack, requireTerraform, workspaceGuardAddress } from "../support/engine";
import { tftest } from "../support/mocks";
import { synthRegistry } from "../support/platform";

/**
 * The real Terraform engine on Freeside's stacks (seed 002): `terraform validate`, a mocked apply of
 * each environment, and the workspace guard refusing the wrong workspace.
 */

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
