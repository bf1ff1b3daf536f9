/**
 * The Candlefish operations script (`npm run ops`): the commands each of the seed's Makefile tasks
 * becomes. The names they use are checked against the synthesized stacks in
 * test/stacks/candlefish.test.ts.
 */
import { describe, expect, test } from "vitest";
import { planTask } from "../scripts/candlefish-ops";
import { candlefish } from "../stacks/candlefish/platform";

const environments = candlefish.environments();

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
