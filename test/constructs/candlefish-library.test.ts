/**
 * The library pieces Candlefish added: function routes on the load balancer, SQS consumers, backlog
 * and scheduled scaling, Schedule's API-call targets, off hours, and the Synthetics canary.
 */
import type { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { EncryptedQueue, OffHours, Schedule, type ScheduleProps } from "../../constructs/events";
import { LambdaFunction } from "../../constructs/lambda";
import { ApplicationLoadBalancer } from "../../constructs/load-balancer";
import { RuntimeSecrets } from "../../constructs/secrets";
import { EcsCluster, FargateService, type ServiceAutoscaling } from "../../constructs/service";
import { Canary, CanaryArtifacts, type CanaryProps } from "../../constructs/synthetics";
import { functionCodeFixture, key, naming, network, RecordingKey, secretAccess } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope, type TerraformJson } from "../support/synth";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab";
const FN = "arn:aws:lambda:us-east-1:123456789012:function:meeting-notes-staging-hook";
const values = (json: TerraformJson, type: string) => Object.values(resourcesOf(json, type));

describe("ApplicationLoadBalancer.addFunctionRoute", () => {
  const json = synthScope((s) => {
    const alb = new ApplicationLoadBalancer(s, "lb", { naming, name: "web", network, certificateArn: CERT });
    alb.addFunctionRoute({
      key: "hook",
      pathPatterns: ["/webhooks/github"],
      priority: 10,
      functionName: "hook",
      functionArn: FN,
    });
  });

  test("a lambda target group, the permission for it alone, the registration after the permission, a rule on HTTPS", () => {
    const group = onlyResource(json, "aws_lb_target_group");
    expect(group).toMatchObject({ target_type: "lambda", lambda_multi_value_headers_enabled: false });
    expect(group.port).toBeUndefined();
    expect(onlyResource(json, "aws_lambda_permission")).toMatchObject({
      principal: "elasticloadbalancing.amazonaws.com",
      action: "lambda:InvokeFunction",
      source_arn: expect.stringContaining("aws_lb_target_group.lb_hook-targets"),
    });
    const attachment = onlyResource(json, "aws_lb_target_group_attachment");
    expect(attachment.target_id).toBe(FN);
    expect(attachment.depends_on).toEqual([expect.stringContaining("aws_lambda_permission.lb_hook-invoke")]);
    expect(onlyResource(json, "aws_lb_listener_rule")).toMatchObject({
      priority: 10,
      listener_arn: expect.stringContaining("aws_lb_listener.lb_https"),
      condition: [{ path_pattern: { values: ["/webhooks/github"] } }],
    });
  });

  test("shares the listener's priorities and patterns with the other routes", () => {
    expect(() =>
      synthScope((s) => {
        const alb = new ApplicationLoadBalancer(s, "lb", {
          naming,
          name: "web",
          network,
          certificateArn: CERT,
        });
        alb.addRoute({ key: "api", pathPatterns: ["/api/*"], priority: 10, port: 8080 });
        alb.addFunctionRoute({
          key: "hook",
          pathPatterns: ["/hook"],
          priority: 10,
          functionName: "f",
          functionArn: FN,
        });
      }),
    ).toThrow("`routes.hook.priority` must be unique on the listener, got 10");
  });
});

describe("LambdaFunction.consumeQueue", () => {
  const consume = (visibilityTimeoutSeconds: number, options = {}) =>
    synthScope((s: Construct) => {
      const queue = new EncryptedQueue(s, "q", {
        naming,
        name: "jobs",
        encryptionKey: new RecordingKey(),
        visibilityTimeoutSeconds,
      });
      const fn = new LambdaFunction(s, "fn", {
        naming,
        name: "worker",
        description: "w",
        code: functionCodeFixture(),
        encryptionKey: key,
        statements: [],
      });
      fn.consumeQueue("jobs", queue, options);
    });

  test("an event source mapping reporting partial batch failures, after a policy to receive, delete and decrypt", () => {
    const json = consume(180);
    expect(onlyResource(json, "aws_lambda_event_source_mapping")).toMatchObject({
      batch_size: 10,
      function_response_types: ["ReportBatchItemFailures"],
      depends_on: [expect.stringContaining("aws_iam_role_policy.fn_consume-jobs")],
    });
    const policy = values(json, "aws_iam_role_policy").find((p) => p.name === "consume-jobs");
    const actions = parsed(policy.policy).Statement.flatMap((st: { Action: string | string[] }) => st.Action);
    expect(actions).toEqual(
      expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "kms:Decrypt"]),
    );
  });

  test.each([
    [
      "a visibility timeout shorter than the function's timeout",
      10,
      {},
      /`queue.visibilityTimeoutSeconds` must be at least the function's timeout \(30 s\)/,
    ],
    [
      "a batch above 10 without a batching window",
      180,
      { batchSize: 100 },
      /`maximumBatchingWindowSeconds` must be at least 1 with a batchSize above 10/,
    ],
    ["a maximum concurrency of 1", 180, { maximumConcurrency: 1 }, /`maximumConcurrency`/],
  ])("refuses %s", (_, visibility, options, message) => {
    expect(() => consume(visibility as number, options)).toThrow(message);
  });
});

describe("LambdaFunction without internet egress", () => {
  test("refuses a network without interface endpoints", () => {
    expect(() =>
      synthScope((s) => {
        new LambdaFunction(s, "fn", {
          naming,
          name: "worker",
          description: "w",
          code: functionCodeFixture(),
          encryptionKey: key,
          statements: [],
          vpc: { ...network, interfaceEndpoints: undefined },
          internetEgress: false,
        });
      }),
    ).toThrow("`internetEgress` can be false only in a network with interface endpoints");
  });
});

describe("FargateService backlog and scheduled scaling", () => {
  const build = (autoscaling: ServiceAutoscaling) =>
    synthScope((s: Construct) => {
      const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
      new FargateService(s, "service", {
        naming,
        cluster: new EcsCluster(s, "cluster", { naming, name: "bot" }),
        network,
        encryptionKey: key,
        secrets,
        imageTag: "abc123",
        autoscaling,
      });
    });

  test("backlog per task: the queues' visible messages over the running tasks, tracked at the target", () => {
    const json = build({
      minCount: 1,
      maxCount: 4,
      queueBacklog: { queueNames: ["a", "b"], messagesPerTask: 50 },
    });
    const policy = values(json, "aws_appautoscaling_policy").find((p) => p.name.endsWith("-backlog"));
    const spec = policy.target_tracking_scaling_policy_configuration;
    expect(spec.target_value).toBe(50);
    const metrics = spec.customized_metric_specification.metrics;
    expect(metrics.map((m: any) => m.id)).toEqual(["q0", "q1", "tasks", "backlog_per_task"]);
    expect(metrics[3]).toMatchObject({ expression: "(q0 + q1) / tasks", return_data: true });
    expect(metrics[2].metric_stat.metric).toMatchObject({
      namespace: "ECS/ContainerInsights",
      metric_name: "RunningTaskCount",
    });
  });

  test("scheduled actions set the bounds in a time zone", () => {
    const json = build({
      minCount: 1,
      maxCount: 2,
      schedules: [
        {
          name: "stop",
          schedule: "cron(0 20 ? * MON-FRI *)",
          timeZone: "Europe/Berlin",
          minCount: 0,
          maxCount: 0,
        },
      ],
    });
    expect(onlyResource(json, "aws_appautoscaling_scheduled_action")).toMatchObject({
      name: "meeting-notes-staging-bot-stop",
      timezone: "Europe/Berlin",
      scalable_target_action: { min_capacity: "0", max_capacity: "0" },
    });
  });

  test.each([
    [
      "an unknown time zone",
      {
        schedules: [
          {
            name: "stop",
            schedule: "cron(0 20 ? * MON-FRI *)",
            timeZone: "Mars/Olympus",
            minCount: 0,
            maxCount: 0,
          },
        ],
      },
      /`autoscaling.schedules\[0\].timeZone` must be an IANA time zone/,
    ],
    [
      "a schedule that is not a cron",
      { schedules: [{ name: "stop", schedule: "at 8pm", timeZone: "UTC", minCount: 0, maxCount: 0 }] },
      /`autoscaling.schedules\[0\].schedule` must be a cron expression/,
    ],
    [
      "no queue",
      { queueBacklog: { queueNames: [], messagesPerTask: 10 } },
      /`autoscaling.queueBacklog.queueNames` must name 1-9 queues/,
    ],
  ])("refuses %s", (_, extra, message) => {
    expect(() => build({ minCount: 1, maxCount: 2, ...(extra as Partial<ServiceAutoscaling>) })).toThrow(
      message,
    );
  });
});

describe("Schedule with an API call, and OffHours", () => {
  const schedule = (props: Partial<ScheduleProps>) =>
    synthScope((s) => {
      const failures = new EncryptedQueue(s, "q", { naming, name: "failures", encryptionKey: key });
      new Schedule(s, "sched", {
        naming,
        name: "stop",
        scheduleExpression: "cron(0 20 ? * MON-FRI *)",
        timeZone: "UTC",
        encryptionKey: key,
        deadLetterQueue: failures.deadLetter,
        ...props,
      });
    });

  test("targets aws-sdk:<service>:<action> with the parameters as input, the role allowed that call alone", () => {
    const json = schedule({
      apiCall: {
        service: "synthetics",
        action: "stopCanary",
        iamActions: ["synthetics:StopCanary"],
        resources: ["arn:aws:synthetics:us-east-1:123456789012:canary:c"],
      },
      input: { Name: "c" },
    });
    expect(onlyResource(json, "aws_scheduler_schedule").target).toMatchObject({
      arn: "arn:aws:scheduler:::aws-sdk:synthetics:stopCanary",
      input: '{"Name":"c"}',
    });
    const statement = parsed(
      values(json, "aws_iam_role_policy").find((p) => p.name === "invoke-target").policy,
    ).Statement[0];
    expect(statement).toMatchObject({
      Sid: "CallTheApi",
      Action: "synthetics:StopCanary",
      Resource: "arn:aws:synthetics:us-east-1:123456789012:canary:c",
    });
  });

  test("needs a function or an API call, not both", () => {
    expect(() => schedule({})).toThrow("`functionArn` must be given, or apiCall instead, not both");
    expect(() =>
      schedule({
        functionArn: FN,
        apiCall: { service: "synthetics", action: "stopCanary", iamActions: ["x:Y"], resources: ["*"] },
      }),
    ).toThrow("`functionArn` must be given, or apiCall instead, not both");
  });

  test("OffHours stops and starts each canary and turns the alarms' actions off and on", () => {
    const json = synthScope((s) => {
      const failures = new EncryptedQueue(s, "q", { naming, name: "failures", encryptionKey: key });
      new OffHours(s, "off", {
        naming,
        timeZone: "America/New_York",
        start: "cron(0 8 ? * MON-FRI *)",
        stop: "cron(0 20 ? * MON-FRI *)",
        canaries: { health: "meeting-notes-staging-health" },
        alarmNames: ["meeting-notes-staging-alb-5xx"],
        encryptionKey: key,
        deadLetterQueue: failures.deadLetter,
      });
    });
    expect(
      values(json, "aws_scheduler_schedule")
        .map((x) => [x.name, x.target.arn])
        .sort(),
    ).toEqual([
      [
        "meeting-notes-staging-start-alarm-actions",
        "arn:aws:scheduler:::aws-sdk:cloudwatch:enableAlarmActions",
      ],
      ["meeting-notes-staging-start-canary-health", "arn:aws:scheduler:::aws-sdk:synthetics:startCanary"],
      [
        "meeting-notes-staging-stop-alarm-actions",
        "arn:aws:scheduler:::aws-sdk:cloudwatch:disableAlarmActions",
      ],
      ["meeting-notes-staging-stop-canary-health", "arn:aws:scheduler:::aws-sdk:synthetics:stopCanary"],
    ]);
  });
});

describe("EventBus.putEventsStatement", () => {
  test("limits a publisher to its sources", async () => {
    const { EventBus } = await import("../../constructs/events");
    let statement: unknown;
    synthScope((s) => {
      const bus = new EventBus(s, "bus", { naming, encryptionKey: key });
      statement = bus.putEventsStatement("Put", ["candlefish.api"]);
      expect(() => bus.putEventsStatement("Put", [])).toThrow(
        "`sources` must name the sources the publisher puts",
      );
    });
    expect(statement).toMatchObject({ conditions: { StringEquals: { "events:source": "candlefish.api" } } });
  });
});

describe("Canary", () => {
  const build = (props: Partial<CanaryProps> = {}) =>
    synthScope((s) => {
      const artifacts = new CanaryArtifacts(s, "artifacts", { naming, encryptionKey: key });
      new Canary(s, "canary", { naming, name: "health", code: functionCodeFixture(), artifacts, ...props });
    });

  test("on the runtime constant, artifacts SSE-KMS under its own prefix, a role scoped to its prefix, logs and namespace", () => {
    const json = build();
    expect(onlyResource(json, "aws_synthetics_canary")).toMatchObject({
      name: "meeting-notes-staging-health",
      runtime_version: "syn-nodejs-playwright-9.0",
      handler: "index.handler",
      artifact_config: { s3_encryption: { encryption_mode: "SSE_KMS", kms_key_arn: key.keyArn } },
      run_config: { timeout_in_seconds: 60, active_tracing: true },
    });
    const statements = parsed(onlyResource(json, "aws_iam_role_policy").policy).Statement as any[];
    expect(statements.find((st) => st.Sid === "WriteArtifacts").Resource).toMatch(
      /\/canaries\/meeting-notes-staging-health\/\*$/,
    );
    expect(statements.find((st) => st.Sid === "PublishCanaryMetrics").Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "CloudWatchSynthetics" },
    });
    const bucketPolicy = parsed(onlyResource(json, "aws_s3_bucket_policy").policy).Statement[0];
    expect(bucketPolicy).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0]).toMatchObject({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: key.keyArn },
    });
  });

  test("refuses a run longer than its interval", () => {
    expect(() => build({ schedule: "rate(1 minute)", timeoutSeconds: 90 })).toThrow(
      "`timeoutSeconds` must be at most the schedule's period (rate(1 minute))",
    );
  });
});
