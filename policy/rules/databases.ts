import { blocks, type TfNode } from "../model";
import type { Rule } from "../types";

const blank = (v: unknown) => v === undefined || v === null || v === "";

/** Whether the parameter group an instance or cluster names sets `rds.force_ssl` to 1. */
function forcesTls(group: TfNode | undefined): boolean {
  if (!group) return false;
  return blocks(group.config.parameter).some((p) => p.name === "rds.force_ssl" && String(p.value) === "1");
}

const POSTGRES = (engine: unknown) => typeof engine === "string" && engine.includes("postgres");

export const databaseRules: readonly Rule[] = [
  {
    id: "RDS-001",
    title: "RDS instances and Aurora clusters encrypt their storage with a customer managed key",
    rationale:
      "Unencrypted storage puts every snapshot and replica in the clear; the AWS managed key cannot be shared or restricted by policy.",
    severity: "high",
    external: { checkov: ["CKV_AWS_16", "CKV_AWS_96"], cdkNag: ["AwsSolutions-RDS2"] },
    check: (context) =>
      ["aws_db_instance", "aws_rds_cluster"].flatMap((type) =>
        context.stack
          .resources(type)
          .filter((db) => db.config.storage_encrypted !== true || blank(db.config.kms_key_id))
          .map((db) => ({
            address: db.address,
            message:
              db.config.storage_encrypted !== true
                ? "storage_encrypted is not true"
                : "kms_key_id is not set (the AWS managed key)",
          })),
      ),
  },
  {
    id: "RDS-002",
    title: "PostgreSQL on RDS and Aurora refuses connections without TLS (rds.force_ssl = 1)",
    rationale:
      "Aurora PostgreSQL defaults rds.force_ssl to 0, so a client that does not ask for TLS sends its password and data in the clear inside the VPC.",
    severity: "high",
    external: {},
    check: (context) => {
      const { stack } = context;
      const hits = [];
      for (const [type, attribute, groupType] of [
        ["aws_db_instance", "parameter_group_name", "aws_db_parameter_group"],
        ["aws_rds_cluster", "db_cluster_parameter_group_name", "aws_rds_cluster_parameter_group"],
      ] as const) {
        for (const db of stack.resources(type).filter((d) => POSTGRES(d.config.engine))) {
          const value = db.config[attribute];
          if (stack.isOpaque(value)) continue;
          const group = stack.resolve(value);
          if (!forcesTls(group?.type === groupType ? group : undefined)) {
            hits.push({
              address: db.address,
              message: blank(value)
                ? `${attribute} is not set (the default group leaves rds.force_ssl at 0)`
                : `its ${groupType} does not set rds.force_ssl = 1`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: "CANARY-002",
    title: "Synthetics canaries encrypt their artifacts with a customer managed key",
    rationale:
      "Canary artifacts hold screenshots, HAR files and logs of real responses; SSE-S3 leaves them readable by anyone who can read the bucket.",
    severity: "medium",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_synthetics_canary")
        .filter((c) => {
          const encryption = blocks(blocks(c.config.artifact_config)[0]?.s3_encryption)[0];
          return encryption?.encryption_mode !== "SSE_KMS" || blank(encryption?.kms_key_arn);
        })
        .map((c) => ({
          address: c.address,
          message: "artifact_config.s3_encryption is not SSE_KMS with a key",
        })),
  },
  {
    id: "EFS-001",
    title: "EFS file systems are encrypted at rest with a customer managed key",
    rationale: "An unencrypted file system keeps its files, and every backup of them, in the clear.",
    severity: "high",
    external: { checkov: ["CKV_AWS_42", "CKV_AWS_184"] },
    check: (context) =>
      context.stack
        .resources("aws_efs_file_system")
        .filter((fs) => fs.config.encrypted !== true || blank(fs.config.kms_key_id))
        .map((fs) => ({
          address: fs.address,
          message:
            fs.config.encrypted !== true
              ? "encrypted is not true"
              : "kms_key_id is not set (the AWS managed key)",
        })),
  },
  {
    id: "EFS-002",
    title:
      "EFS file systems refuse connections without TLS (a file system policy denying aws:SecureTransport false)",
    rationale:
      "A task that mounts without TLS sends the files over the VPC in the clear; only the policy can refuse it.",
    severity: "high",
    external: {},
    check: (context) => {
      const { stack } = context;
      const policies = stack.resources("aws_efs_file_system_policy");
      if (policies.some((p) => stack.isOpaque(p.config.file_system_id))) return [];
      return stack
        .resources("aws_efs_file_system")
        .filter((fs) => {
          const policy = policies.find((p) => stack.pointsTo(p.config.file_system_id, fs));
          if (!policy || typeof policy.config.policy !== "string") return true;
          try {
            const document = JSON.parse(policy.config.policy) as { Statement?: unknown };
            return ![document.Statement]
              .flat()
              .some(
                (st) =>
                  (st as { Effect?: string }).Effect === "Deny" &&
                  JSON.stringify((st as { Condition?: unknown }).Condition ?? {}).includes(
                    '"aws:SecureTransport":"false"',
                  ),
              );
          } catch {
            return true;
          }
        })
        .map((fs) => ({
          address: fs.address,
          message: "has no file system policy denying requests without TLS",
        }));
    },
  },
];
