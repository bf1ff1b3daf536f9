import { beforeAll, describe, expect, test } from "vitest";
import { stackWorkspaces } from "../../scripts/stack-workspaces";
import { CANDLEFISH_FILES } from "../../stacks/candlefish/platform";
import { EngineStack, requireTerraform } from "../support/engine";
import { tftest } from "../support/mocks";
import { synthCandlefish } from "../support/platform";

/**
 * The real Terraform engine on Candlefish's stacks (seed 001): `terraform validate` and a mocked apply
 * of each environment in its workspace, past its workspace guard. (The guard refusing a wrong
 * workspace is the same construct the meeting-notes and Freeside engine tests prove; the stack test
 * checks Candlefish's stacks carry it, bound to their workspaces.)
 */

const APPLY_VARS = 'variables {\n    image_tag = "0123abc"\n  }';
const stacks = synthCandlefish(CANDLEFISH_FILES);

beforeAll(async () => {
  await requireTerraform();
});

describe.concurrent("Candlefish in the engine", () => {
  test.each([
    ["prod", 3],
    ["dev", 3],
  ])("candlefish-%s validates and applies with mocks", async (environment, zones) => {
    const name = `candlefish-${environment}`;
    const stack = await EngineStack.init(`apply-${name}`, stacks[name]!, {
      "apply.tftest.hcl": tftest(`run "apply" {
  command = apply
  ${APPLY_VARS}
  assert {
    condition     = output.ecs_cluster_name == "clos-v2-${environment}-cluster"
    error_message = "the cluster is clos-v2-<env>-cluster"
  }
  assert {
    condition     = output.core_api_service_name == "clos-v2-${environment}-core-api" && output.workflow_engine_service_name == "clos-v2-${environment}-workflow-engine"
    error_message = "the services are the Core API and the Workflow Engine"
  }
  assert {
    condition     = length(output.private_subnet_ids) == ${zones} && length(output.data_subnet_ids) == ${zones}
    error_message = "private and data subnets in every zone"
  }
}`),
    });
    const validated = await stack.validate();
    expect(validated.output).toContain("The configuration is valid");
    const result = await stack.test({ workspace: stackWorkspaces()[name]! });
    expect(result.output).toMatch(/1 passed, 0 failed/);
    expect(result.ok).toBe(true);
  });
});
