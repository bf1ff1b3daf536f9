import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Connections } from "../../constructs/core/connections";
import { RuntimeSecrets } from "../../constructs/secrets";
import {
  EcsCluster,
  FargateService,
  type FargateServiceProps,
  ImageRepository,
} from "../../constructs/service";
import { key, naming, network, RecordingKey, secretAccess } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope, testApp } from "../support/synth";

const build = (overrides: Partial<FargateServiceProps> = {}) =>
  synthScope((s: Construct) => {
    const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
    new FargateService(s, "service", {
      naming,
      cluster: new EcsCluster(s, "cluster", { naming, name: "bot" }),
      network,
      encryptionKey: key,
      secrets,
      imageTag: "abc123",
      ...overrides,
    });
  });
const container = (json: ReturnType<typeof build>) =>
  parsed(onlyResource(json, "aws_ecs_task_definition").container_definitions)[0];
/** A load balancer route stand-in: its target group and its side of the connection. */
const alb = {
  targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1",
  connections: new Connections(new Construct(testApp(), "lb"), "alb", "the load balancer", "sg-alb"),
};

describe("FargateService defaults", () => {
  const json = build();

  test("ECR repository scans on push, has immutable tags, KMS encryption and keeps the last 30 images", () => {
    const repo = onlyResource(json, "aws_ecr_repository");
    expect(repo).toMatchObject({
      name: "meeting-notes-staging-bot",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS", kms_key: key.keyArn }],
    });
    const rule = JSON.parse(onlyResource(json, "aws_ecr_lifecycle_policy").policy).rules[0];
    expect(rule.selection).toEqual({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 });
  });

  test("the cluster has Container Insights on (the no-running-tasks alarm needs it)", () => {
    expect(onlyResource(json, "aws_ecs_cluster").setting).toEqual([
      { name: "containerInsights", value: "enabled" },
    ]);
  });

  test("the log group keeps 30 days and is KMS-encrypted", () => {
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/ecs/meeting-notes-staging-bot",
      retention_in_days: 30,
      kms_key_id: key.keyArn,
    });
  });

  test("the service runs on Fargate in private subnets without public IPs, with a rolling-back circuit breaker", () => {
    const service = onlyResource(json, "aws_ecs_service");
    expect(service).toMatchObject({
      desired_count: 1,
      capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }],
      network_configuration: { subnets: network.privateSubnetIds, assign_public_ip: false },
      deployment_circuit_breaker: { enable: true, rollback: true },
      enable_execute_command: false,
    });
    expect(service.lifecycle).toBeUndefined();
    expect(service.load_balancer).toBeUndefined();
  });

  test("the task definition is 256 CPU / 512 MiB with the image tag, the secrets and a read-only root filesystem", () => {
    const task = onlyResource(json, "aws_ecs_task_definition");
    expect(task).toMatchObject({
      cpu: "256",
      memory: "512",
      network_mode: "awsvpc",
      requires_compatibilities: ["FARGATE"],
    });
    const c = container(json);
    expect(c.image).toMatch(/^\$\{aws_ecr_repository\.[^}]+\.repository_url\}:abc123$/);
    expect(c.readonlyRootFilesystem).toBe(true);
    expect(c.privileged).toBe(false);
    expect(c.portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
    expect(c.secrets).toHaveLength(8);
    expect(c.secrets[0]).toEqual({
      name: "DISCORD_BOT_TOKEN",
      valueFrom: expect.stringMatching(/^\$\{aws_secretsmanager_secret\..+\.arn\}$/),
    });
    expect(c.environment).toEqual([]);
    expect(c.logConfiguration.logDriver).toBe("awslogs");
  });

  test("the execution role pulls only this repository's images and writes only this log group", () => {
    const policies = Object.values(resourcesOf(json, "aws_iam_role_policy")).map((p) => parsed(p.policy));
    const exec = policies.find((p) => p.Statement.some((s: any) => s.Sid === "PullImage"))!;
    const bySid = Object.fromEntries(exec.Statement.map((s: any) => [s.Sid, s]));
    expect(bySid.EcrLogin).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(bySid.PullImage.Resource).toMatch(/^\$\{aws_ecr_repository\.[^}]+\.arn\}$/);
    expect(bySid.WriteLogs.Resource).toMatch(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*$/);
  });

  test("both roles trust ECS tasks of this account only; the task role has no permissions by default", () => {
    const roles = Object.values(resourcesOf(json, "aws_iam_role"));
    expect(roles.map((r) => r.name).sort()).toEqual([
      "meeting-notes-staging-bot-execution",
      "meeting-notes-staging-bot-task",
    ]);
    for (const role of roles) {
      const trust = parsed(role.assume_role_policy).Statement[0];
      expect(trust.Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
      expect(trust.Condition.StringEquals["aws:SourceAccount"]).toMatch(/aws_caller_identity/);
    }
    const taskRoleRefs = Object.values(resourcesOf(json, "aws_iam_role_policy")).filter((p) =>
      String(p.role).includes("task-role"),
    );
    expect(taskRoleRefs).toEqual([]);
  });

  test("with no load balancer the tasks accept no inbound traffic and may only call out on 443", () => {
    expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule"))).toEqual([
      expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" }),
    ]);
  });

  test("no autoscaling resources by default", () => {
    expect(resourcesOf(json, "aws_appautoscaling_target")).toEqual({});
  });
});

describe("FargateService overrides", () => {
  test("size, count, port, retention and kept images", () => {
    const json = build({
      cpu: 1024,
      memoryMiB: 4096,
      desiredCount: 3,
      containerPort: 3000,
      logRetentionDays: 90,
      ecrKeepImages: 5,
    });
    expect(onlyResource(json, "aws_ecs_task_definition")).toMatchObject({ cpu: "1024", memory: "4096" });
    expect(onlyResource(json, "aws_ecs_service").desired_count).toBe(3);
    expect(container(json).portMappings[0].containerPort).toBe(3000);
    expect(onlyResource(json, "aws_cloudwatch_log_group").retention_in_days).toBe(90);
    expect(
      JSON.parse(onlyResource(json, "aws_ecr_lifecycle_policy").policy).rules[0].selection.countNumber,
    ).toBe(5);
  });

  test.each([
    ["fargateSpot", [{ capacity_provider: "FARGATE_SPOT", weight: 1 }]],
    [
      "mixed",
      [
        { capacity_provider: "FARGATE", base: 1, weight: 1 },
        { capacity_provider: "FARGATE_SPOT", weight: 3 },
      ],
    ],
  ] as const)("capacity %s", (capacity, strategy) => {
    expect(onlyResource(build({ capacity }), "aws_ecs_service").capacity_provider_strategy).toEqual(strategy);
  });

  test("an explicit strategy of weights and a base, in the given order", () => {
    const capacity = [
      { provider: "FARGATE_SPOT", weight: 4 },
      { provider: "FARGATE", weight: 1, base: 2 },
    ] as const;
    expect(onlyResource(build({ capacity }), "aws_ecs_service").capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE_SPOT", weight: 4 },
      { capacity_provider: "FARGATE", weight: 1, base: 2 },
    ]);
  });

  test("every update forces a new deployment, which ECS requires for a capacity strategy change", () => {
    expect(onlyResource(build(), "aws_ecs_service").force_new_deployment).toBe(true);
    expect(onlyResource(build({ capacity: "mixed" }), "aws_ecs_service").force_new_deployment).toBe(true);
  });

  test("a shared repository: no repository of its own, pulls from and runs the shared one", () => {
    const json = synthScope((s: Construct) => {
      const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
      const repository = new ImageRepository(s, "shared", { naming, name: "api", encryptionKey: key });
      new FargateService(s, "worker", {
        naming,
        name: "worker",
        cluster: new EcsCluster(s, "cluster", { naming }),
        network,
        encryptionKey: key,
        secrets,
        imageTag: "abc123",
        repository,
        command: ["node", "dist/worker.js"],
      });
    });
    expect(Object.values(resourcesOf(json, "aws_ecr_repository")).map((r) => r.name)).toEqual([
      "meeting-notes-staging-api",
    ]);
    const def = parsed(onlyResource(json, "aws_ecs_task_definition").container_definitions)[0];
    expect(def.image).toMatch(/^\$\{aws_ecr_repository\.shared_repository_\w+\.repository_url\}:abc123$/);
    expect(def.command).toEqual(["node", "dist/worker.js"]);
    const execution = Object.values(resourcesOf(json, "aws_iam_role_policy")).find(
      (p) => p.name === "pull-image-and-write-logs",
    );
    const pull = parsed(execution.policy).Statement.find((st: any) =>
      [st.Action].flat().includes("ecr:BatchGetImage"),
    );
    expect(pull.Resource).toMatch(/aws_ecr_repository\.shared_repository_\w+\.arn/);
  });

  test("the container runs the image's command unless one is given", () => {
    expect(container(build()).command).toBeUndefined();
  });

  test("the log group name can be given", () => {
    const recording = new RecordingKey();
    const json = synthScope((s: Construct) => {
      const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
      new FargateService(s, "service", {
        naming,
        name: "api",
        cluster: new EcsCluster(s, "cluster", { naming }),
        network,
        encryptionKey: recording,
        secrets,
        imageTag: "abc123",
        logGroupName: "/ecs/meeting-notes-staging/api",
      });
    });
    expect(onlyResource(json, "aws_cloudwatch_log_group").name).toBe("/ecs/meeting-notes-staging/api");
    expect(container(json).logConfiguration.options["awslogs-group"]).toMatch(/aws_cloudwatch_log_group/);
    expect(recording.logGroups).toEqual(["/ecs/meeting-notes-staging/api"]);
  });

  test("autoscaling adds a CPU target-tracking policy and leaves desired_count to the scaler", () => {
    const json = build({ autoscaling: { minCount: 2, maxCount: 6 } });
    const service = onlyResource(json, "aws_ecs_service");
    expect(service.desired_count).toBe(2);
    expect(service.lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    expect(onlyResource(json, "aws_appautoscaling_target")).toMatchObject({
      min_capacity: 2,
      max_capacity: 6,
    });
    expect(
      onlyResource(json, "aws_appautoscaling_policy").target_tracking_scaling_policy_configuration,
    ).toMatchObject({
      target_value: 60,
      predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
    });
  });

  test("environment variables are passed sorted by name", () => {
    expect(
      container(build({ environmentVariables: { NODE_ENV: "production", LOG_LEVEL: "info" } })).environment,
    ).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "NODE_ENV", value: "production" },
    ]);
  });

  test("with a load balancer only its security group may reach the container port", () => {
    const json = build({ loadBalancer: alb });
    expect(onlyResource(json, "aws_ecs_service").load_balancer).toEqual([
      { target_group_arn: alb.targetGroupArn, container_name: "bot", container_port: 8080 },
    ]);
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      referenced_security_group_id: "sg-alb",
      from_port: 8080,
      to_port: 8080,
      description: "Traffic from the load balancer only",
    });
    const toTasks = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule")).find(
      (r) => r.security_group_id === "sg-alb",
    );
    expect(toTasks).toMatchObject({
      from_port: 8080,
      to_port: 8080,
      description: "Load balancer to the meeting-notes-staging-bot tasks",
    });
  });
});

describe("FargateService rejects bad input", () => {
  test.each<[string, Partial<FargateServiceProps>, string]>([
    [
      "a CPU size Fargate lacks",
      { cpu: 300 },
      "`cpu` must be a Fargate CPU size (256, 512, 1024, 2048, 4096), got 300. Pick one of the listed sizes.",
    ],
    [
      "memory that does not suit the CPU",
      { cpu: 512, memoryMiB: 512 },
      "`memoryMiB` must be one of 1024, 2048, 3072, 4096 for `cpu` 512 (Fargate's valid combinations), got 512. Pick a listed size, or change `cpu`.",
    ],
    [
      "a bad port",
      { containerPort: 70000 },
      "`containerPort` must be a whole number from 1 to 65535, got 70000. Set it to a whole number from 1 to 65535.",
    ],
    [
      "a bad retention",
      { logRetentionDays: 2 },
      "`logRetentionDays` must be a CloudWatch Logs retention period, got 2. Use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
    ],
    [
      "max below min",
      { autoscaling: { minCount: 4, maxCount: 2 } },
      "`autoscaling.maxCount` must be at least `autoscaling.minCount` (4), got 2. Raise `autoscaling.maxCount` or lower `autoscaling.minCount`.",
    ],
    [
      "a variable shadowing a secret",
      { environmentVariables: { OPENAI_API_KEY: "sk" } },
      '`environmentVariables.OPENAI_API_KEY` must not shadow a runtime secret of the same name, got "OPENAI_API_KEY". Remove it; the secret provides this variable.',
    ],
    [
      "an additional secret injecting a variable a runtime secret injects",
      {
        additionalSecrets: [
          {
            containerSecrets: [
              {
                name: "OPENAI_API_KEY",
                valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
              },
            ],
            grantRead: () => undefined,
          },
        ],
      },
      '`additionalSecrets` must not inject a variable another secret injects already, got "OPENAI_API_KEY". Rename one of the two secrets, or inject it once.',
    ],
    [
      "a strategy whose weights are all zero",
      {
        capacity: [
          { provider: "FARGATE", weight: 0, base: 1 },
          { provider: "FARGATE_SPOT", weight: 0 },
        ],
      },
      '`capacity` must give at least one provider a weight above 0 (ECS places no task beyond the bases otherwise), got "FARGATE:0, FARGATE_SPOT:0". Give FARGATE or FARGATE_SPOT a weight of 1 or more.',
    ],
    [
      "an empty strategy",
      { capacity: [] },
      '`capacity` must list at least one provider, got []. Use "fargate", or list FARGATE with a weight.',
    ],
    [
      "a provider named twice",
      {
        capacity: [
          { provider: "FARGATE", weight: 1 },
          { provider: "FARGATE", weight: 2 },
        ],
      },
      '`capacity` must name each provider once, got "FARGATE". Merge the two entries.',
    ],
    [
      "bases on both providers",
      {
        capacity: [
          { provider: "FARGATE", weight: 1, base: 1 },
          { provider: "FARGATE_SPOT", weight: 1, base: 1 },
        ],
      },
      '`capacity` may give a base to one provider only (an ECS rule), got "FARGATE:base 1, FARGATE_SPOT:base 1". Keep the base on one provider, usually FARGATE.',
    ],
    [
      "a weight above 1000",
      { capacity: [{ provider: "FARGATE_SPOT", weight: 1001 }] },
      "`capacity[FARGATE_SPOT].weight` must be a whole number from 0 to 1000, got 1001. Set it to a whole number from 0 to 1000.",
    ],
    [
      "an unknown mode",
      { capacity: "spot" as never },
      '`capacity` must be "fargate", "fargateSpot" or "mixed", or a list of providers with weights, got "spot". Pick one of the listed modes.',
    ],
    [
      "an empty command",
      { command: [] },
      "`command` must be a non-empty list of non-empty arguments, got []. Leave it out to run the image's command.",
    ],
    [
      "a bad name",
      { name: "Bot!" },
      '`name` must be 1-20 lowercase letters, digits and hyphens, starting with a letter, got "Bot!". Use a short name such as "bot".',
    ],
  ])("%s", (_n, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe("FargateService sidecars", () => {
  const collector = {
    name: "otel-collector",
    image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3",
    environment: { AWS_REGION: "us-east-1" },
    command: ["--config=/etc/ecs/ecs-default-config.yaml"],
  };

  test("run beside the service's container: not essential, read-only, logging under their own prefix", () => {
    const json = build({ sidecars: [collector] });
    const containers = parsed(onlyResource(json, "aws_ecs_task_definition").container_definitions);
    expect(containers.map((c: { name: string }) => c.name)).toEqual(["bot", "otel-collector"]);
    expect(containers[1]).toMatchObject({
      image: collector.image,
      essential: false,
      readonlyRootFilesystem: true,
      privileged: false,
      command: collector.command,
      environment: [{ name: "AWS_REGION", value: "us-east-1" }],
    });
    expect(containers[1].logConfiguration.options["awslogs-stream-prefix"]).toBe("otel-collector");
    expect(containers[1].logConfiguration.options["awslogs-group"]).toBe(
      containers[0].logConfiguration.options["awslogs-group"],
    );
  });

  test("none by default", () => {
    expect(parsed(onlyResource(build(), "aws_ecs_task_definition").container_definitions)).toHaveLength(1);
  });

  test.each<[string, object, string]>([
    [
      "a sidecar named like the service's container",
      { ...collector, name: "bot" },
      '`sidecars` must have names of 1-32 lowercase letters, digits and hyphens, unique in the task (the service\'s container included), got "bot". Rename the sidecar.',
    ],
    [
      "an image without a tag or digest",
      { ...collector, image: "public.ecr.aws/aws-observability/aws-otel-collector" },
      '`sidecars.otel-collector.image` must be an image reference with a tag (not latest) or a digest, got "public.ecr.aws/aws-observability/aws-otel-collector". Pin it, for example public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3.',
    ],
    [
      "an image tagged latest",
      { ...collector, image: "public.ecr.aws/aws-observability/aws-otel-collector:latest" },
      '`sidecars.otel-collector.image` must be an image reference with a tag (not latest) or a digest, got "public.ecr.aws/aws-observability/aws-otel-collector:latest". Pin it, for example public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3.',
    ],
  ])("refuses %s", (_what, sidecar, message) => {
    expect(() => build({ sidecars: [sidecar as never] })).toThrow(message);
  });
});

describe("FargateService key grant", () => {
  test("asks its key to let CloudWatch Logs encrypt the service's log group, by its literal name", () => {
    const recording = new RecordingKey();
    synthScope((s: Construct) => {
      const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
      new FargateService(s, "service", {
        naming,
        name: "worker",
        cluster: new EcsCluster(s, "cluster", { naming }),
        network,
        encryptionKey: recording,
        secrets,
        imageTag: "abc123",
      });
    });
    expect(recording.logGroups).toEqual(["/ecs/meeting-notes-staging-worker"]);
  });
});
