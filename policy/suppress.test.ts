import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { suppress } from "../constructs/core/suppressions";
import { testApp } from "../test/support/synth";
import { checkovBaseline } from "./checkov-baseline";
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
  test("writes the suppression into the resource's // comment, and the Checkov baseline skips the checks the rule mirrors", () => {
    const stack = synthesized((s) => {
      const bucket = new S3Bucket(s, "logs", { bucket: "demo-logs" });
      suppress(bucket, "S3-010", "This bucket is the access-log sink; logging it into itself would loop.", {
        bucket: "demo-logs",
      });
    });
    const comment = resource(stack.json, "aws_s3_bucket", "logs")["//"];
    expect(comment.policy_suppressions).toEqual([
      {
        rule: "S3-010",
        reason: "This bucket is the access-log sink; logging it into itself would loop.",
        bound: { bucket: "demo-logs" },
      },
    ]);
    expect(comment.checkov).toBeUndefined();
    expect(comment.metadata.path).toBe("demo/logs");
    const { baseline, skips } = checkovBaseline([{ file: "/demo/cdk.tf.json", json: stack.json as never }]);
    expect(baseline.failed_checks).toEqual([
      {
        file: "/demo/cdk.tf.json",
        findings: [
          { resource: "aws_s3_bucket.logs", check_ids: ["CKV_AWS_18"] },
          { resource: "resource.logs", check_ids: ["CKV_AWS_18"] },
        ],
      },
    ]);
    expect(skips).toEqual([
      {
        checkId: "CKV_AWS_18",
        address: "aws_s3_bucket.logs",
        ruleId: "S3-010",
        reason: "This bucket is the access-log sink; logging it into itself would loop.",
      },
    ]);
  });

  test("accumulates several suppressions on one resource and trims reasons", () => {
    const stack = synthesized((s) => {
      const bucket = new S3Bucket(s, "logs", { bucket: "demo-logs" });
      suppress(bucket, "S3-010", "  Log sink.  ", { bucket: "demo-logs" });
      suppress(bucket, "S3-006", "Not a state bucket in this demo.", { bucket: "demo-logs" });
    });
    const comment = resource(stack.json, "aws_s3_bucket", "logs")["//"];
    expect(comment.policy_suppressions).toEqual([
      { rule: "S3-010", reason: "Log sink.", bound: { bucket: "demo-logs" } },
      { rule: "S3-006", reason: "Not a state bucket in this demo.", bound: { bucket: "demo-logs" } },
    ]);
    const { baseline } = checkovBaseline([{ file: "/demo/cdk.tf.json", json: stack.json as never }]);
    expect(baseline.failed_checks[0]!.findings[0]).toEqual({
      resource: "aws_s3_bucket.logs",
      check_ids: ["CKV_AWS_18"],
    });
  });

  test("the baseline skips nothing for a rule that mirrors no Checkov check", () => {
    const stack = synthesized((s) => {
      suppress(
        new KmsKey(s, "key", { enableKeyRotation: true }),
        "KMS-005",
        "Service principal sends no source context.",
        { enable_key_rotation: true },
      );
    });
    const comment = resource(stack.json, "aws_kms_key", "key")["//"];
    expect(comment.policy_suppressions).toEqual([
      {
        rule: "KMS-005",
        reason: "Service principal sends no source context.",
        bound: { enable_key_rotation: true },
      },
    ]);
    expect(checkovBaseline([{ file: "/demo/cdk.tf.json", json: stack.json as never }]).baseline).toEqual({
      failed_checks: [{ file: "/demo/cdk.tf.json", findings: [] }],
    });
  });

  test("a well-formed id of no rule is written, and the policy suite refuses it (POLICY-002)", () => {
    const stack = synthesized((s) => {
      suppress(new S3Bucket(s, "logs", { bucket: "demo-logs" }), "S3-999", "typo", { bucket: "demo-logs" });
    });
    const report = evaluate([stack]);
    expect(report.violations.map((v) => `${v.ruleId} ${v.address}`)).toContain(
      "POLICY-002 aws_s3_bucket.logs",
    );
  });

  test("records data source suppressions at the top of the stack with the final address", () => {
    const stack = synthesized((s) => {
      const me = new DataAwsRegion(s, "me", { name: "us-east-1" });
      suppress(me, "IAM-009", "Example of a data source suppression.", { name: "us-east-1" });
      me.overrideLogicalId("caller");
    });
    expect((stack.json["//"] as Record<string, unknown>).policy_suppressions).toEqual([
      {
        address: "data.aws_region.caller",
        rule: "IAM-009",
        reason: "Example of a data source suppression.",
        bound: { name: "us-east-1" },
      },
    ]);
  });

  test("the runner reports a suppressed finding with its reason", () => {
    const stack = synthesized((s) => {
      suppress(
        new KmsKey(s, "key", { enableKeyRotation: false }),
        "KMS-001",
        "Key material is imported and rotated by hand.",
        { enable_key_rotation: false },
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
      "s3-10",
      "typo",
      '`ruleId` must be a rule id of the policy suite such as S3-010, and not a POLICY-* rule, got "s3-10". Use a rule ID listed in policy/README.md (POLICY-* rules cannot be suppressed).',
    ],
    [
      "POLICY-001",
      "hide it",
      '`ruleId` must be a rule id of the policy suite such as S3-010, and not a POLICY-* rule, got "POLICY-001". Use a rule ID listed in policy/README.md (POLICY-* rules cannot be suppressed).',
    ],
  ])("suppress(bucket, %j, %j) throws", (ruleId, reason, message) => {
    const app = testApp();
    const stack = new TerraformStack(app, "demo");
    const bucket = new S3Bucket(stack, "logs", { bucket: "demo-logs" });
    expect(() => suppress(bucket, ruleId, reason, { bucket: "demo-logs" })).toThrow(message);
  });

  test("throws when the suppression names no attribute value", () => {
    const app = testApp();
    const stack = new TerraformStack(app, "demo");
    const bucket = new S3Bucket(stack, "logs", { bucket: "demo-logs" });
    expect(() => suppress(bucket, "S3-010", "Log sink.", {})).toThrow(
      "`boundTo` must name at least one attribute value that S3-010 is suppressed for on demo/logs, got {}. Pass the attributes the exception depends on, for example { from_port: 443, to_port: 443 }.",
    );
  });

  test("a suppression granted for port 443 stops applying once the rule is widened to all ports", () => {
    const build = (fromPort: number, toPort: number) =>
      synthesized((s) => {
        const sg = new SecurityGroup(s, "sg", { name: "lb", description: "load balancer", vpcId: "vpc-1" });
        const rule = new VpcSecurityGroupIngressRule(s, "https", {
          securityGroupId: sg.id,
          description: "HTTPS from anywhere",
          ipProtocol: "tcp",
          fromPort,
          toPort,
          cidrIpv4: "0.0.0.0/0",
        });
        suppress(rule, "SG-001", "a public load balancer takes HTTPS from the internet", {
          from_port: 443,
          to_port: 443,
          cidr_ipv4: "0.0.0.0/0",
        });
      });
    const granted = evaluate([build(443, 443)]);
    expect(granted.violations.filter((v) => v.ruleId === "SG-001")).toEqual([]);
    expect(granted.suppressed.map((f) => f.ruleId)).toContain("SG-001");

    const widened = evaluate([build(0, 65535)]);
    expect(widened.violations.filter((v) => v.ruleId === "SG-001").map((v) => v.message)).toEqual([
      expect.stringMatching(
        /\(its suppression was granted for other values: from_port was 443, is 0; to_port was 443, is 65535\)$/,
      ),
    ]);
    expect(widened.suppressed.filter((f) => f.ruleId === "SG-001")).toEqual([]);
  });

  test("throws when the same rule is suppressed twice on one resource", () => {
    const app = testApp();
    const stack = new TerraformStack(app, "demo");
    const bucket = new S3Bucket(stack, "logs", { bucket: "demo-logs" });
    suppress(bucket, "S3-010", "Log sink.", { bucket: "demo-logs" });
    expect(() => suppress(bucket, "S3-010", "Again.", { bucket: "demo-logs" })).toThrow(
      '`ruleId` must be suppressed at most once per resource (demo/logs), got "S3-010". Remove the second suppress() call or merge the reasons into one.',
    );
  });
});
