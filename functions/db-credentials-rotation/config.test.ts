import { describe, expect, it } from "vitest";
import { readConfig } from "./config";

const ENV = {
  SECRET_ARN: "arn:aws:secretsmanager:us-east-1:891376933289:secret:arrakis-production/db-credentials-AbCdEf",
  MASTER_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:891376933289:secret:rds!db-1234-XyZ123",
  DB_HOST: "arrakis-production-postgres.abc123.us-east-1.rds.amazonaws.com",
  DB_PORT: "5432",
  DB_NAME: "arrakis",
  APP_ROLE: "arrakis_app",
  REDEPLOY_SERVICES:
    "arrakis-production-cluster/arrakis-production-api,arrakis-production-cluster/arrakis-production-worker",
};

describe("db-credentials rotation configuration", () => {
  it("reads every variable, the services as cluster/service pairs", () => {
    expect(readConfig(ENV)).toEqual({
      secretArn: ENV.SECRET_ARN,
      masterSecretArn: ENV.MASTER_SECRET_ARN,
      host: ENV.DB_HOST,
      port: 5432,
      database: "arrakis",
      appRole: "arrakis_app",
      redeployServices: [
        { cluster: "arrakis-production-cluster", service: "arrakis-production-api" },
        { cluster: "arrakis-production-cluster", service: "arrakis-production-worker" },
      ],
    });
    expect(readConfig({ ...ENV, REDEPLOY_SERVICES: undefined }).redeployServices).toEqual([]);
  });

  it.each([
    ["MASTER_SECRET_ARN", undefined, /MASTER_SECRET_ARN is not set/],
    ["DB_PORT", "80", /DB_PORT must be a whole number from 1150 to 65535 \(the ports RDS allows\), got "80"/],
    ["DB_NAME", "Arrakis;drop", /DB_NAME must be a lowercase PostgreSQL identifier/],
    ["APP_ROLE", 'app"', /APP_ROLE must be a lowercase PostgreSQL identifier/],
    ["REDEPLOY_SERVICES", "only-a-cluster", /REDEPLOY_SERVICES must list cluster\/service pairs/],
    ["SECRET_ARN", "arrakis-production/db-credentials", /SECRET_ARN must be the full ARN/],
  ])("refuses %s=%s, naming the variable", (name, value, message) => {
    expect(() => readConfig({ ...ENV, [name]: value })).toThrow(message);
  });
});
