import { beforeAll, describe, expect, test } from "vitest";
import { stackWorkspaces } from "../../scripts/stack-workspaces";
import { EngineStack, requireTerraform, workspaceGuardAddress } from "../support/engine";
import { tftest } from "../support/mocks";
import {
  loadEnvironments,
  synthPlatform,
  WITH_ALERTS_AND_API,
  WITHOUT_ALERTS_AND_API,
} from "../support/platform";

/**
 * The real Terraform engine on every synthesized stack: `terraform validate`, mocked applies
 * (`terraform test` with `mock_provider "aws"`) of the environment stacks with alerts and the API
 * domain on and off, and the workspace guard refusing the wrong workspace.
 */

const APPLY_VARS = 'variables {\n    image_tag = "0123abc"\n  }';

/** The seed's operator contract: `<project>-<environment>-grafana-token-rotation`. */
function rotationFunctionName(environment: string): string {
  const env = loadEnvironments().find((e) => e.environment === environment)!;
  return `${env.projectName}-${env.environment}-grafana-token-rotation`;
}

beforeAll(async () => {
  await requireTerraform();
});

const plain = synthPlatform(WITHOUT_ALERTS_AND_API);
const full = synthPlatform(WITH_ALERTS_AND_API);

describe.concurrent("terraform validate", () => {
  test.each(Object.keys(plain).filter((name) => !name.endsWith("-grafana")))("%s", async (name) => {
    const stack = await EngineStack.init(`validate-${name}`, plain[name]);
    const result = await stack.validate();
    expect(result.output).toContain("The configuration is valid");
    expect(result.ok).toBe(true);
  });
});

describe.concurrent("mocked apply", () => {
  test.each([
    ["staging", "no alertEmail, no API domain", plain],
    ["prod", "no alertEmail, no API domain", plain],
    ["staging", "alerts and an API domain with a new certificate", full],
    ["prod", "alerts and an API domain with a given certificate", full],
  ] as const)("%s with %s", async (name, _variant, stacks) => {
    const json = stacks[name]!;
    const hasApi = json.output?.oauth_callback_url !== undefined;
    const stack = await EngineStack.init(`apply-${name}-${hasApi ? "full" : "plain"}`, json, {
      "apply.tftest.hcl": tftest(`run "apply" {
  command = apply
  ${APPLY_VARS}
  assert {
    condition     = length(output.private_subnet_ids) == ${loadEnvironments().find((e) => e.environment === name)!.network.availabilityZones}
    error_message = "expected one private subnet per availability zone"
  }
  assert {
    condition     = output.grafana_token_rotation_function == "${rotationFunctionName(name)}"
    error_message = "the rotation function must keep the seed's name"
  }
${
  hasApi
    ? `  assert {
    condition     = output.oauth_callback_url == "${json.output!.oauth_callback_url.value}"
    error_message = "unexpected OAuth callback URL"
  }`
    : ""
}
}`),
    });
    const result = await stack.test({ workspace: stackWorkspaces()[name]! });
    expect(result.output).toMatch(/1 passed, 0 failed/);
    expect(result.ok).toBe(true);
  });

  test("the state stack applies, and its bucket, table and key refuse to be destroyed", async () => {
    const stack = await EngineStack.init("apply-state", plain.state, {
      "apply.tftest.hcl": tftest('run "apply" {\n  command = apply\n}'),
    });
    const result = await stack.test();
    expect(result.output).toMatch(/1 passed, 0 failed/);
    // The test's own teardown is a destroy: prevent_destroy must stop it.
    expect(result.output.replace(/\s+/g, " ")).toContain("Instance cannot be destroyed");
  });
});

describe.concurrent("workspace guard", () => {
  test.each(["staging", "prod"])(
    "%s refuses to plan in the default workspace, naming the command to run",
    async (name) => {
      const json = plain[name]!;
      const stack = await EngineStack.init(`guard-${name}`, json, {
        "guard.tftest.hcl": tftest(`run "wrong_workspace" {
  command = plan
  ${APPLY_VARS}
  expect_failures = [${workspaceGuardAddress(json)}]
}`),
        "message.tftest.hcl": tftest(`run "wrong_workspace_message" {
  command = plan
  ${APPLY_VARS}
}`),
      });
      const expected = await stack.test({ filter: "guard.tftest.hcl" });
      expect(expected.output).toMatch(/1 passed, 0 failed/);
      const refused = await stack.test({ filter: "message.tftest.hcl" });
      expect(refused.ok).toBe(false);
      expect(refused.output.replace(/\s+/g, " ")).toContain(
        `must run in Terraform workspace "${stackWorkspaces()[name]}", but the selected workspace is a different one. Run: terraform -chdir=cdktf.out/stacks/${name} workspace select -or-create ${stackWorkspaces()[name]}`,
      );
    },
  );
});
