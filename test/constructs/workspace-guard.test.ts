import { describe, expect, test } from "vitest";
import { WorkspaceGuard } from "../../constructs/workspace-guard";
import { dataOf, synthScope } from "../support/synth";

describe("WorkspaceGuard", () => {
  test("puts a workspace postcondition on the caller-identity data source, naming the command that fixes it", () => {
    const json = synthScope((s) => new WorkspaceGuard(s, "workspace-guard", { workspace: "staging" }));
    const [identity] = Object.values(dataOf(json, "aws_caller_identity"));
    expect(identity.lifecycle.postcondition).toEqual([
      {
        condition: '${terraform.workspace == "staging"}',
        error_message:
          'Stack "staging" must run in Terraform workspace "staging", but the selected workspace is a different one. ' +
          "Run: terraform -chdir=cdktf.out/stacks/staging workspace select -or-create staging (or set TF_WORKSPACE=staging).",
      },
    ]);
  });

  test("the stack name in the message defaults to the workspace and can differ from it", () => {
    const json = synthScope((s) => new WorkspaceGuard(s, "g", { workspace: "default", stackName: "prod" }));
    const [identity] = Object.values(dataOf(json, "aws_caller_identity"));
    expect(identity.lifecycle.postcondition[0].condition).toBe('${terraform.workspace == "default"}');
    expect(identity.lifecycle.postcondition[0].error_message).toContain(
      "terraform -chdir=cdktf.out/stacks/prod workspace select -or-create default",
    );
  });

  test("rejects a name Terraform cannot use as a workspace", () => {
    expect(() => synthScope((s) => new WorkspaceGuard(s, "g", { workspace: "Prod Env" }))).toThrow(
      '`workspace` must be a Terraform workspace name (lowercase letters, digits, _ and -), got "Prod Env". Use the environment\'s name, for example staging.',
    );
  });
});
