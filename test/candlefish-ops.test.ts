/**
 * The Candlefish operations script (`npm run ops`): the commands each of the seed's Makefile tasks
 * becomes, and the names they use, checked against the synthesized stacks so they cannot drift.
 */
import { describe, expect, test } from "vitest";
import { planTask } from "../scripts/candlefish-ops";
import { candlefishNames } from "../stacks/candlefish/names";
import { CANDLEFISH_FILES, candlefish } from "../stacks/candlefish/platform";
import { synthCandlefish } from "./support/platform";
import { resourcesOf } from "./support/synth";

const stacks = synthCandlefish(CANDLEFISH_FILES);
const environments = candlefish.environments();
const values = (stack: string, type: string) => Object.values(resourcesOf(stacks[stack]!, type));

describe("the names the operations use are the stacks' own", () => {
  test.each(environments.map((e) => [e.environment, e] as const))("candlefish-%s", (environment, env) => {
    const stack = `candlefish-${environment}`;
    const names = candlefishNames(env);
    expect(values(stack, "aws_ecs_cluster").map((c) => c.name)).toEqual([names.cluster]);
    expect(
      values(stack, "aws_ecs_service")
        .map((s) => s.name)
        .sort(),
    ).toEqual(Object.values(names.services).sort());
    const groups = values(stack, "aws_cloudwatch_log_group").map((g) => g.name);
    for (const group of Object.values(names.logGroups)) expect(groups).toContain(group);
    expect((stacks[stack] as any).output.dashboard_url.value).toBe(names.dashboardUrl);
    expect(values(stack, "aws_rds_cluster")[0].cluster_identifier).toBe(names.dbCluster);
    expect(values(stack, "aws_db_subnet_group")[0].name).toBe(names.dbSubnetGroup);
    expect(values(stack, "aws_rds_cluster_parameter_group")[0].name).toBe(names.dbParameterGroup);
    const targets = values(stack, "aws_appautoscaling_target");
    for (const [key, bounds] of Object.entries(names.scaling)) {
      expect(targets).toContainEqual(
        expect.objectContaining({
          min_capacity: bounds.min,
          max_capacity: bounds.max,
          resource_id: expect.stringContaining(key),
        }),
      );
    }
  });
});

describe("npm run ops", () => {
  test("health-check: GET /health on the API's domain", () => {
    expect(planTask("health-check", "candlefish-prod", [], environments).check).toBe(
      "https://api.candlefish.example.com/health",
    );
  });

  test("logs: aws logs tail of a service's or a function's group", () => {
    expect(planTask("logs", "candlefish-prod", ["core-api"], environments).commands).toEqual([
      [
        "logs",
        "tail",
        "/ecs/clos-v2-prod/core-api",
        "--since",
        "1h",
        "--format",
        "short",
        "--region",
        "us-east-1",
      ],
    ]);
    expect(
      planTask("logs", "candlefish-dev", ["stage-gate-processor", "--since", "10m"], environments)
        .commands[0],
    ).toContain("/aws/lambda/clos-v2-dev-stage-gate-processor");
    expect(() => planTask("logs", "candlefish-dev", ["nginx"], environments)).toThrow(
      /logs needs a service or function: core-api, workflow-engine, stage-gate-processor/,
    );
  });

  test("emergency scale up and down move the scaling bounds (the scaler owns the task count); reset restores the settings'", () => {
    const up = planTask("scale-up", "candlefish-prod", [], environments).commands;
    expect(up.map((c) => [c[7], c[9], c[11]])).toEqual([
      ["service/clos-v2-prod-cluster/clos-v2-prod-core-api", "6", "6"],
      ["service/clos-v2-prod-cluster/clos-v2-prod-workflow-engine", "10", "10"],
    ]);
    const down = planTask("scale-down", "candlefish-dev", [], environments).commands;
    expect(down.map((c) => [c[9], c[11]])).toEqual([
      ["0", "0"],
      ["0", "0"],
    ]);
    const reset = planTask("scale-reset", "candlefish-prod", [], environments).commands;
    expect(reset.map((c) => [c[9], c[11]])).toEqual([
      ["3", "6"],
      ["3", "10"],
    ]);
  });

  test("redeploy forces a new deployment of one or both services", () => {
    expect(planTask("redeploy", "candlefish-prod", ["workflow-engine"], environments).commands).toEqual([
      [
        "ecs",
        "update-service",
        "--cluster",
        "clos-v2-prod-cluster",
        "--service",
        "clos-v2-prod-workflow-engine",
        "--force-new-deployment",
        "--region",
        "us-east-1",
      ],
    ]);
    expect(planTask("redeploy", "candlefish-prod", [], environments).commands).toHaveLength(2);
  });

  test("restore-db prints the point-in-time restore into a new cluster with the stack's names; dev restores on Serverless v2", () => {
    const plan = planTask("restore-db", "candlefish-dev", ["2026-12-04T09:30:00Z"], environments);
    expect(plan.printOnly).toBe(true);
    expect(plan.commands[0]!.slice(0, 7)).toEqual([
      "rds",
      "restore-db-cluster-to-point-in-time",
      "--source-db-cluster-identifier",
      "clos-v2-dev-aurora",
      "--db-cluster-identifier",
      "clos-v2-dev-aurora-restored",
      "--restore-to-time",
    ]);
    expect(plan.commands[0]).toContain("MinCapacity=0,MaxCapacity=2");
    expect(plan.commands[1]).toContain("db.serverless");
    expect(() => planTask("restore-db", "candlefish-dev", ["yesterday"], environments)).toThrow(
      /needs the time to restore to/,
    );
  });

  test("an unknown stack or task is refused with the choices", () => {
    expect(() => planTask("logs", "freeside-production", ["x"], environments)).toThrow(
      'stack "freeside-production" is not a Candlefish stack (candlefish-dev, candlefish-prod). Give one of those.',
    );
    expect(() => planTask("make-coffee", "candlefish-dev", [], environments)).toThrow(
      /is not one of health-check, logs/,
    );
  });
});
