import { block, blocks, bool, isToken, openStatements, readPolicy, type TfNode } from "../model";
import type { Rule, RuleHit } from "../types";
import { looksLikeSecretName } from "./secret-names";

/** A container definition as ECS reads it (the fields the rules look at). */
interface Container {
  readonly name?: string;
  readonly privileged?: unknown;
  readonly readonlyRootFilesystem?: unknown;
  readonly environment?: readonly { name?: unknown; value?: unknown }[];
  readonly logConfiguration?: { logDriver?: unknown };
}

/**
 * The containers of a task definition. cdktf writes `container_definitions` as a JSON string; a value
 * that is an expression or not a JSON array cannot be read and yields `undefined`.
 */
function containers(task: TfNode): Container[] | undefined {
  const raw = task.config.container_definitions;
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(parsed)) return undefined;
  return parsed.filter((c): c is Container => c !== null && typeof c === "object");
}

/** Runs `test` over every container of every task definition. */
function perContainer(
  tasks: TfNode[],
  test: (container: Container, label: string) => string | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const task of tasks) {
    for (const container of containers(task) ?? []) {
      const label = `container ${typeof container.name === "string" ? container.name : "(unnamed)"}`;
      const message = test(container, label);
      if (message) hits.push({ address: task.address, message });
    }
  }
  return hits;
}

export const containerRules: readonly Rule[] = [
  {
    id: "ECS-001",
    title: "ECS clusters have Container Insights enabled",
    rationale: "Task-level CPU, memory and RunningTaskCount metrics exist only with Container Insights.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_65"], cdkNag: ["AwsSolutions-ECS4"] },
    check: (context) =>
      context.stack
        .resources("aws_ecs_cluster")
        .filter((c) => {
          const setting = blocks(c.config.setting).find((s) => s.name === "containerInsights");
          return !isToken(setting?.value) && setting?.value !== "enabled" && setting?.value !== "enhanced";
        })
        .map((c) => ({ address: c.address, message: "containerInsights is not enabled" })),
  },
  {
    id: "ECS-002",
    title: "Task definition containers are not privileged",
    rationale: "A privileged container has root on the host.",
    severity: "high",
    external: { checkov: ["CKV_AWS_334"] },
    check: (context) =>
      perContainer(context.stack.resources("aws_ecs_task_definition"), (c, label) =>
        bool(c.privileged) === true ? `${label} is privileged` : undefined,
      ),
  },
  {
    id: "ECS-003",
    title: "Task definition containers have a read-only root filesystem",
    rationale:
      "An attacker who gets code execution cannot persist tools in the image; mount a volume for scratch space.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_336"] },
    check: (context) =>
      perContainer(context.stack.resources("aws_ecs_task_definition"), (c, label) =>
        bool(c.readonlyRootFilesystem) === true ? undefined : `${label} does not set readonlyRootFilesystem`,
      ),
  },
  {
    id: "ECS-004",
    title: "Task definitions pass credentials through secrets, never environment",
    rationale: "Plain environment values are readable by anyone who can describe the task definition.",
    severity: "high",
    external: {},
    check: (context) =>
      perContainer(context.stack.resources("aws_ecs_task_definition"), (c, label) => {
        const names = (c.environment ?? [])
          .map((e) => e.name)
          .filter((n): n is string => typeof n === "string" && looksLikeSecretName(n));
        return names.length > 0 ? `${label} sets ${names.join(", ")} in environment; use secrets` : undefined;
      }),
  },
  {
    id: "ECS-005",
    title: "Task definition containers send logs to a log driver",
    rationale: "Without a log configuration the container's output is lost.",
    severity: "medium",
    external: { cdkNag: ["AwsSolutions-ECS7"] },
    check: (context) =>
      perContainer(context.stack.resources("aws_ecs_task_definition"), (c, label) =>
        c.logConfiguration?.logDriver === undefined ? `${label} has no logConfiguration` : undefined,
      ),
  },
  {
    id: "ECS-006",
    title: "ECS services do not assign public IPs",
    rationale: "Tasks run in private subnets behind the load balancer; a public IP exposes them directly.",
    severity: "high",
    external: { checkov: ["CKV_AWS_333"] },
    check: (context) =>
      context.stack
        .resources("aws_ecs_service")
        .filter((s) => bool(block(s.config.network_configuration)?.assign_public_ip) === true)
        .map((s) => ({ address: s.address, message: "network_configuration.assign_public_ip is true" })),
  },
  {
    id: "ECS-007",
    title: "Task definitions use different execution and task roles",
    rationale: "The execution role pulls images and reads secrets; the application must not inherit that.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_249"] },
    check: (context) =>
      context.stack
        .resources("aws_ecs_task_definition")
        .filter(
          (t) =>
            typeof t.config.execution_role_arn === "string" &&
            t.config.execution_role_arn === t.config.task_role_arn,
        )
        .map((t) => ({
          address: t.address,
          message: "execution_role_arn and task_role_arn are the same role",
        })),
  },
  {
    id: "ECS-008",
    title: "Task definitions do not share the host's process namespace",
    rationale: "pid_mode host lets a container see and signal every process on the host.",
    severity: "high",
    external: { checkov: ["CKV_AWS_335"] },
    check: (context) =>
      context.stack
        .resources("aws_ecs_task_definition")
        .filter((t) => t.config.pid_mode === "host")
        .map((t) => ({ address: t.address, message: "pid_mode is host" })),
  },
  {
    id: "ECS-009",
    title: "ECS Exec sessions are logged",
    rationale: "Interactive shells into production tasks must leave a record.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_223"] },
    check: (context) =>
      context.stack
        .resources("aws_ecs_cluster")
        .filter(
          (c) => block(block(c.config.configuration)?.execute_command_configuration)?.logging === "NONE",
        )
        .map((c) => ({ address: c.address, message: "execute_command_configuration.logging is NONE" })),
  },
  {
    id: "ECR-001",
    title: "ECR repositories scan images on push",
    rationale: "Known CVEs in a pushed image are reported before it is deployed.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_163"] },
    check: (context) =>
      context.stack
        .resources("aws_ecr_repository")
        .filter((r) => {
          const scan = block(r.config.image_scanning_configuration)?.scan_on_push;
          return !isToken(scan) && bool(scan) !== true;
        })
        .map((r) => ({
          address: r.address,
          message: "image_scanning_configuration.scan_on_push is not true",
        })),
  },
  {
    id: "ECR-002",
    title: "ECR repositories have immutable tags",
    rationale: "A deployed tag can never be silently re-pointed to different image contents.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_51"] },
    check: (context) =>
      context.stack
        .resources("aws_ecr_repository")
        .filter((r) => !isToken(r.config.image_tag_mutability))
        .filter(
          (r) =>
            r.config.image_tag_mutability !== "IMMUTABLE" &&
            r.config.image_tag_mutability !== "IMMUTABLE_WITH_EXCLUSION",
        )
        .map((r) => ({
          address: r.address,
          message: `image_tag_mutability is ${r.config.image_tag_mutability ?? "MUTABLE (default)"}`,
        })),
  },
  {
    id: "ECR-003",
    title: "ECR repositories have a lifecycle policy",
    rationale: "Old images are expired instead of accumulating (and keeping old vulnerabilities deployable).",
    severity: "low",
    external: {},
    check: (context) => {
      const { stack } = context;
      const policies = stack.resources("aws_ecr_lifecycle_policy");
      if (policies.some((p) => stack.isOpaque(p.config.repository))) return [];
      return stack
        .resources("aws_ecr_repository")
        .filter((r) => !policies.some((p) => stack.pointsTo(p.config.repository, r, ["name"])))
        .map((r) => ({ address: r.address, message: "has no aws_ecr_lifecycle_policy" }));
    },
  },
  {
    id: "ECR-004",
    title: "ECR repositories are encrypted with KMS",
    rationale: "KMS encryption puts image layers behind a key policy.",
    severity: "low",
    external: { checkov: ["CKV_AWS_136"] },
    check: (context) =>
      context.stack
        .resources("aws_ecr_repository")
        .filter((r) => {
          const type = blocks(r.config.encryption_configuration)[0]?.encryption_type;
          return !isToken(type) && type !== "KMS" && type !== "KMS_DSSE";
        })
        .map((r) => ({ address: r.address, message: "encryption_configuration.encryption_type is not KMS" })),
  },
  {
    id: "ECR-005",
    title: "ECR repository policies are not open to every principal",
    rationale: "An unconditioned Allow for Principal * lets any AWS account pull (or push) images.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_32"], cdkNag: ["AwsSolutions-ECR1"] },
    check: (context) =>
      context.stack
        .resources("aws_ecr_repository_policy")
        .filter((p) => {
          const read = readPolicy(p.config.policy);
          return read.status === "ok" && openStatements(read.statements).length > 0;
        })
        .map((p) => ({ address: p.address, message: "allows Principal * without a condition" })),
  },
];
