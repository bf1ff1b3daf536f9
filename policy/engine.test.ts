// biome-ignore-all lint/suspicious/noTemplateCurlyInString: tests hold Terraform references, which are literal "${...}" strings
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { policyDocument } from "../constructs/core/iam";
import { evaluate, reportLines, summaryLine } from "./engine";
import { tf } from "./fixtures";
import { parseReference, readPolicy, StackModel } from "./model";
import { RULES } from "./rules";
import { runPolicy } from "./run";

function ruleFindings(json: Record<string, unknown>, ruleId: string) {
  return evaluate([{ name: "s", json }]).violations.filter((v) => v.ruleId === ruleId);
}

const sseOf = (bucket: string) => ({
  bucket,
  rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } }],
});

describe("reference resolution", () => {
  test("parses resource and data source references", () => {
    expect(parseReference("${aws_s3_bucket.logs.id}")).toEqual({
      kind: "resource",
      type: "aws_s3_bucket",
      name: "logs",
      attribute: "id",
    });
    expect(parseReference("${data.aws_caller_identity.me.account_id}")).toEqual({
      kind: "data",
      type: "aws_caller_identity",
      name: "me",
      attribute: "account_id",
    });
    expect(parseReference("${aws_s3_bucket.logs.arn}/*")).toBeUndefined();
    expect(parseReference("plain")).toBeUndefined();
  });

  test("a companion whose bucket is ${aws_s3_bucket.x.id} belongs to bucket x only", () => {
    const json = tf({
      "aws_s3_bucket.x": { bucket: "x-bucket" },
      "aws_s3_bucket.y": { bucket: "y-bucket" },
      "aws_s3_bucket_server_side_encryption_configuration.x": sseOf("${aws_s3_bucket.x.id}"),
    });
    expect(ruleFindings(json, "S3-001").map((f) => f.address)).toEqual(["aws_s3_bucket.y"]);
  });

  test.each([
    ["${aws_s3_bucket.x.bucket}", "a reference to the bucket attribute"],
    ["x-bucket", "the literal bucket name"],
  ])("a companion whose bucket is %s (%s) belongs to bucket x", (value) => {
    const json = tf({
      "aws_s3_bucket.x": { bucket: "x-bucket" },
      "aws_s3_bucket_server_side_encryption_configuration.x": sseOf(value),
    });
    expect(ruleFindings(json, "S3-001")).toEqual([]);
  });

  test("a companion whose bucket cannot be resolved makes a missing companion unknowable, not a violation", () => {
    const json = tf({
      "aws_s3_bucket.x": { bucket: "x-bucket" },
      "aws_s3_bucket_server_side_encryption_configuration.other": sseOf("${var.bucket_name}"),
    });
    expect(ruleFindings(json, "S3-001")).toEqual([]);
  });

  test("an attribute that is a token is not judged", () => {
    const json = tf({ "aws_kms_key.k": { enable_key_rotation: "${var.rotate}" } });
    expect(ruleFindings(json, "KMS-001")).toEqual([]);
  });

  test("IAM policy JSON strings with ${...} tokens inside values parse, and the tokens are not wildcards", () => {
    const policy = policyDocument([{ actions: ["s3:GetObject"], resources: ["${aws_s3_bucket.x.arn}/*"] }]);
    const read = readPolicy(policy);
    expect(read.status).toBe("ok");
    expect(read.status === "ok" && read.statements[0]!.resources).toEqual(["${aws_s3_bucket.x.arn}/*"]);
    expect(ruleFindings(tf({ "aws_iam_role_policy.p": { policy } }), "IAM-003")).toEqual([]);
  });

  test("a policy that is a whole expression is unknown: IAM-009 reports it, the statement rules stay silent", () => {
    const json = tf({ "aws_iam_role_policy.p": { policy: "${data.aws_iam_policy_document.p.json}" } });
    expect(readPolicy("${data.aws_iam_policy_document.p.json}").status).toBe("unknown");
    expect(ruleFindings(json, "IAM-009")).toHaveLength(1);
    expect(ruleFindings(json, "IAM-001")).toEqual([]);
    expect(ruleFindings(json, "IAM-003")).toEqual([]);
  });

  test("the stack model indexes resources and data sources by address", () => {
    const model = new StackModel("s", tf({ "aws_vpc.main": {}, "data.aws_caller_identity.me": {} }));
    expect(model.node("aws_vpc.main")?.type).toBe("aws_vpc");
    expect(model.node("data.aws_caller_identity.me")?.kind).toBe("data");
    expect(model.resolve("${data.aws_caller_identity.me.account_id}")?.address).toBe(
      "data.aws_caller_identity.me",
    );
  });

  test("state buckets are recognised from another stack's S3 backend", () => {
    const stateStack = tf({ "aws_s3_bucket.state": { bucket: "acme-tf-state", force_destroy: true } });
    const appStack = tf({}, { terraform: { backend: { s3: { bucket: "acme-tf-state", key: "app" } } } });
    const report = evaluate([
      { name: "state", json: stateStack },
      { name: "app", json: appStack },
    ]);
    expect(
      report.violations.filter((v) => v.ruleId === "S3-006").map((v) => `${v.stack} ${v.address}`),
    ).toEqual(["state aws_s3_bucket.state"]);
  });
});

describe("suppressions", () => {
  const withSuppression = (entries: unknown[]) =>
    tf({ "aws_kms_key.k": { enable_key_rotation: false, "//": { policy_suppressions: entries } } });

  test("a suppression with a reason turns the finding into a reported suppression", () => {
    const report = evaluate([
      {
        name: "s",
        json: withSuppression([
          {
            rule: "KMS-001",
            reason: "Imported key, rotated by the owner.",
            bound: { enable_key_rotation: false },
          },
        ]),
      },
    ]);
    expect(report.violations.filter((v) => v.ruleId === "KMS-001")).toEqual([]);
    expect(report.suppressed.filter((s) => s.ruleId === "KMS-001")).toEqual([
      {
        ruleId: "KMS-001",
        severity: "high",
        stack: "s",
        address: "aws_kms_key.k",
        message: "enable_key_rotation is not true",
        reason: "Imported key, rotated by the owner.",
      },
    ]);
    expect(reportLines(report)).toContain(
      "suppressed KMS-001 s aws_kms_key.k: Imported key, rotated by the owner.",
    );
  });

  test("a suppression without a reason suppresses nothing and is itself a violation", () => {
    const report = evaluate([{ name: "s", json: withSuppression([{ rule: "KMS-001", reason: " " }]) }]);
    expect(report.violations.map((v) => v.ruleId)).toEqual(expect.arrayContaining(["KMS-001", "POLICY-001"]));
    expect(report.violations.find((v) => v.ruleId === "POLICY-001")?.message).toBe(
      "suppresses KMS-001 without a reason",
    );
    expect(report.suppressed).toEqual([]);
  });

  test("a suppression of an unknown rule is a violation", () => {
    const report = evaluate([{ name: "s", json: withSuppression([{ rule: "KMS-999", reason: "typo" }]) }]);
    expect(report.violations.find((v) => v.ruleId === "POLICY-002")?.message).toBe(
      "suppresses unknown rule KMS-999",
    );
  });

  test("a suppression on one resource does not suppress the same rule on another", () => {
    const json = tf({
      "aws_kms_key.a": {
        enable_key_rotation: false,
        "//": {
          policy_suppressions: [{ rule: "KMS-001", reason: "r", bound: { enable_key_rotation: false } }],
        },
      },
      "aws_kms_key.b": { enable_key_rotation: false },
    });
    const report = evaluate([{ name: "s", json }]);
    expect(report.violations.filter((v) => v.ruleId === "KMS-001").map((v) => v.address)).toEqual([
      "aws_kms_key.b",
    ]);
    expect(report.suppressed.map((s) => s.address)).toEqual(["aws_kms_key.a"]);
  });

  test("stack-level suppressions apply to the address they name (data sources)", () => {
    const json = tf(
      { "aws_iam_role_policy.p": { policy: "${data.aws_iam_policy_document.p.json}" } },
      {
        "//": {
          policy_suppressions: [
            {
              address: "aws_iam_role_policy.p",
              rule: "IAM-009",
              reason: "generated elsewhere",
              bound: { policy: "${data.aws_iam_policy_document.p.json}" },
            },
          ],
        },
      },
    );
    const report = evaluate([{ name: "s", json }]);
    expect(report.violations).toEqual([]);
    expect(report.suppressed.map((s) => `${s.ruleId} ${s.address}`)).toEqual([
      "IAM-009 aws_iam_role_policy.p",
    ]);
  });

  test("POLICY rules cannot be suppressed", () => {
    const json = withSuppression([
      { rule: "KMS-001", reason: "" },
      { rule: "POLICY-001", reason: "trying to hide the empty reason" },
    ]);
    const report = evaluate([{ name: "s", json }]);
    expect(report.violations.map((v) => v.ruleId)).toEqual(
      expect.arrayContaining(["POLICY-001", "POLICY-002"]),
    );
  });

  test("a suppression that matches no finding is reported as unused, not as a violation", () => {
    const json = tf({
      "aws_kms_key.k": {
        enable_key_rotation: true,
        "//": {
          policy_suppressions: [{ rule: "KMS-001", reason: "old", bound: { enable_key_rotation: false } }],
        },
      },
    });
    const report = evaluate(
      [{ name: "s", json }],
      RULES.filter((r) => r.id.startsWith("KMS-001") || r.id.startsWith("POLICY")),
    );
    expect(report.violations).toEqual([]);
    expect(report.unusedSuppressions).toEqual([
      { ruleId: "KMS-001", stack: "s", address: "aws_kms_key.k", reason: "old" },
    ]);
    expect(reportLines(report)).toContain(
      "unused suppression KMS-001 s aws_kms_key.k: old (no finding to suppress)",
    );
  });
});

describe("report format", () => {
  test("violations print as <ruleId> <stack> <address>: <message> and the summary is the exact last line", () => {
    const json = tf({
      "aws_kms_key.a": { enable_key_rotation: false, policy: "{}" },
      "aws_kms_key.b": {
        enable_key_rotation: false,
        policy: "{}",
        "//": {
          policy_suppressions: [{ rule: "KMS-001", reason: "r", bound: { enable_key_rotation: false } }],
        },
      },
    });
    const report = evaluate([{ name: "prod", json }]);
    const lines = reportLines(report);
    expect(lines[0]).toBe("KMS-001 prod aws_kms_key.a: enable_key_rotation is not true");
    expect(lines.at(-1)).toBe(`policy: ${RULES.length} rules, 1 stacks, 1 violations, 1 suppressions`);
    expect(summaryLine(report)).toMatch(/^policy: \d+ rules, \d+ stacks, \d+ violations, \d+ suppressions$/);
  });
});

describe("runner exit behaviour", () => {
  function outdir(stacks: Record<string, Record<string, unknown>>): string {
    const dir = mkdtempSync(join(tmpdir(), "policy-run-"));
    for (const [name, json] of Object.entries(stacks)) {
      mkdirSync(join(dir, "stacks", name), { recursive: true });
      writeFileSync(join(dir, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
    }
    return dir;
  }
  const clean = tf({}, { provider: { aws: [{ region: "us-east-1" }] } });
  const violating = tf({ "aws_kms_key.k": { enable_key_rotation: false, policy: "{}" } });

  test("exits 0 when nothing is violated", () => {
    const lines: string[] = [];
    expect(runPolicy([outdir({ staging: clean, prod: clean })], (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([`policy: ${RULES.length} rules, 2 stacks, 0 violations, 0 suppressions`]);
  });

  test("exits 1 when a rule is violated", () => {
    const lines: string[] = [];
    expect(runPolicy([outdir({ staging: clean, prod: violating })], (l) => lines.push(l))).toBe(1);
    expect(lines).toContain("KMS-001 prod aws_kms_key.k: enable_key_rotation is not true");
    expect(lines.at(-1)).toBe(`policy: ${RULES.length} rules, 2 stacks, 1 violations, 0 suppressions`);
  });

  test("exits 1 when no stack is found", () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "policy-empty-"));
    expect(runPolicy([dir], (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/^policy: no stacks found under /);
    expect(lines.at(-1)).toBe(`policy: ${RULES.length} rules, 0 stacks, 0 violations, 0 suppressions`);
  });

  test("the CLI sets the process exit code and prints the summary last", () => {
    const dir = outdir({ prod: violating });
    const result = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "run.ts"), dir], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(`policy: ${RULES.length} rules, 1 stacks, 1 violations, 0 suppressions`);
  });
});
