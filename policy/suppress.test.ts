import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { suppress } from "../constructs/internal/suppressions";
import { testApp } from "../test/support/synth";
import { evaluate, loadStacks } from "./engine";

/**
 * Synthesizes one stack the way `cdktf synth` does (keeping the `//` comments that Testing.synth
 * strips) and returns what the runner loads from the output directory.
 */
function synthesized(build: (stack: TerraformStack) => void) {
  const app = testApp();
  const stack = new TerraformStack(app, "demo");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  build(stack);
  app.synth();
  const stacks = loadStacks(app.outdir);
  expect(stacks.map((s) => s.name)).toEqual(["demo"]);
  return stacks[0]!;
}

const resource = (json: Record<string, any>, type: string, name: string) => json.resource[type][name];

describe("suppress()", () => {
  test("writes the suppression and the Checkov skips of the rule into the resource's // comment", () => {
    const stack = synthesized((s) => {
      const bucket = new S3Bucket(s, "logs", { bucket: "demo-logs" });
      suppress(bucket, "S3-010", "This bucket is the access-log sink; logging it into itself would loop.");
    });
    const comment = resource(stack.json, "aws_s3_bucket", "logs")["//"];
    expect(comment.policy_suppressions).toEqual([
      { rule: "S3-010", reason: "This bucket is the access-log sink; logging it into itself would loop." },
    ]);
    expect(comment.checkov).toEqual({
      skip: [
        {
          id: "CKV_AWS_18",
          comment: "S3-010: This bucket is the access-log sink; logging it into itself would loop.",
        },
      ],
    });
    expect(comment.metadata.path).toBe("demo/logs");
  });

  test("accumulates several suppressions on one resource and trims reasons", () => {
    const stack = synthesized((s) => {
      const bucket = new S3Bucket(s, "logs", { bucket: "demo-logs" });
      suppress(bucket, "S3-010", "  Log sink.  ");
      suppress(bucket, "S3-006", "Not a state bucket in this demo.");
    });
    const comment = resource(stack.json, "aws_s3_bucket", "logs")["//"];
    expect(comment.policy_suppressions).toEqual([
      { rule: "S3-010", reason: "Log sink." },
      { rule: "S3-006", reason: "Not a state bucket in this demo." },
    ]);
    expect(comment.checkov.skip.map((s: { id: string }) => s.id)).toEqual(["CKV_AWS_18"]);
  });

  test("writes no Checkov skip for a rule that mirrors no Checkov check", () => {
    const stack = synthesized((s) => {
      suppress(
        new KmsKey(s, "key", { enableKeyRotation: true }),
        "KMS-005",
        "Service principal sends no source context.",
      );
    });
    const comment = resource(stack.json, "aws_kms_key", "key")["//"];
    expect(comment.policy_suppressions).toEqual([
      { rule: "KMS-005", reason: "Service principal sends no source context." },
    ]);
    expect(comment.checkov).toBeUndefined();
  });

  test("records data source suppressions at the top of the stack with the final address", () => {
    const stack = synthesized((s) => {
      const me = new DataAwsCallerIdentity(s, "me");
      suppress(me, "IAM-009", "Example of a data source suppression.");
      me.overrideLogicalId("caller");
    });
    expect((stack.json["//"] as Record<string, unknown>).policy_suppressions).toEqual([
      {
        address: "data.aws_caller_identity.caller",
        rule: "IAM-009",
        reason: "Example of a data source suppression.",
      },
    ]);
  });

  test("the runner reports a suppressed finding with its reason", () => {
    const stack = synthesized((s) => {
      suppress(
        new KmsKey(s, "key", { enableKeyRotation: false }),
        "KMS-001",
        "Key material is imported and rotated by hand.",
      );
    });
    const report = evaluate([stack]);
    expect(report.violations.filter((v) => v.ruleId === "KMS-001")).toEqual([]);
    expect(report.suppressed.map((s) => `${s.ruleId} ${s.address}: ${s.reason}`)).toEqual([
      "KMS-001 aws_kms_key.key: Key material is imported and rotated by hand.",
    ]);
  });

  test.each([
    [
      "S3-010",
      "",
      '`reason` must say why S3-010 does not apply to demo/logs (a suppression without a reason is itself a policy violation), got "". Pass one sentence that a reviewer can check, for example why the resource must be public.',
    ],
    [
      "S3-010",
      "   ",
      '`reason` must say why S3-010 does not apply to demo/logs (a suppression without a reason is itself a policy violation), got "   ". Pass one sentence that a reviewer can check, for example why the resource must be public.',
    ],
    [
      "S3-999",
      "typo",
      '`ruleId` must name a suppressible rule of the policy suite, got "S3-999". Use a rule ID listed in policy/README.md (POLICY-* rules cannot be suppressed).',
    ],
    [
      "POLICY-001",
      "hide it",
      '`ruleId` must name a suppressible rule of the policy suite, got "POLICY-001". Use a rule ID listed in policy/README.md (POLICY-* rules cannot be suppressed).',
    ],
  ])("suppress(bucket, %j, %j) throws", (ruleId, reason, message) => {
    const app = testApp();
    const stack = new TerraformStack(app, "demo");
    const bucket = new S3Bucket(stack, "logs", { bucket: "demo-logs" });
    expect(() => suppress(bucket, ruleId, reason)).toThrow(message);
  });

  test("throws when the same rule is suppressed twice on one resource", () => {
    const app = testApp();
    const stack = new TerraformStack(app, "demo");
    const bucket = new S3Bucket(stack, "logs", { bucket: "demo-logs" });
    suppress(bucket, "S3-010", "Log sink.");
    expect(() => suppress(bucket, "S3-010", "Again.")).toThrow(
      '`ruleId` must be suppressed at most once per resource (demo/logs), got "S3-010". Remove the second suppress() call or merge the reasons into one.',
    );
  });
});
