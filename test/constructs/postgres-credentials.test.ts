import { describe, expect, test } from "vitest";
import {
  PostgresCredentials,
  type PostgresCredentialsProps,
  PostgresInstance,
} from "../../constructs/database";
import {
  BREAK_GLASS_ROLE_ARN,
  functionCodeFixture,
  naming,
  network,
  RecordingKey,
} from "../support/fixtures";
import { onlyResource, resourcesOf, synthScope } from "../support/synth";

const build = (
  props: Partial<PostgresCredentialsProps> = {},
  after: (credentials: PostgresCredentials) => void = () => undefined,
) =>
  synthScope((s) => {
    const encryptionKey = new RecordingKey();
    const database = new PostgresInstance(s, "database", { naming, network, encryptionKey });
    const credentials = new PostgresCredentials(s, "db-credentials", {
      naming,
      database,
      network,
      encryptionKey,
      policyAdministrators: [BREAK_GLASS_ROLE_ARN],
      code: functionCodeFixture(),
      ...props,
    });
    after(credentials);
  });

describe("PostgresCredentials", () => {
  const json = build({}, (c) => {
    c.grantRead({ roleArn: "arn:aws:iam::123456789012:role/task", roleName: "task" }, "api");
    c.redeployAfterRotation(
      { cluster: "meeting-notes-staging-cluster", service: "meeting-notes-staging-api" },
      "api",
    );
  });

  test("a secret without a value, rotated every 30 days, the first rotation when it is created", () => {
    expect(resourcesOf(json, "aws_secretsmanager_secret_version")).toEqual({});
    expect(onlyResource(json, "aws_secretsmanager_secret")).toMatchObject({
      name: "meeting-notes-staging/db-credentials",
      kms_key_id: new RecordingKey().keyArn,
      recovery_window_in_days: 30,
    });
    expect(onlyResource(json, "aws_secretsmanager_secret_rotation")).toMatchObject({
      rotate_immediately: true,
      rotation_rules: { automatically_after_days: 30 },
      depends_on: expect.arrayContaining([expect.stringMatching(/^aws_db_instance\./)]),
    });
  });

  test("the application role derives from the project, its login roles alternate", () => {
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn.environment.variables).toMatchObject({
      APP_ROLE: "meeting_notes_app",
      REDEPLOY_SERVICES: "meeting-notes-staging-cluster/meeting-notes-staging-api",
      NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
    });
    expect(fn.vpc_config.subnet_ids).toEqual(network.privateSubnetIds);
  });

  test("the function's security group reaches the database's port only, and AWS APIs on 443", () => {
    const egress = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule")) as any[];
    expect(egress.map((r) => r.from_port).sort()).toEqual([443, 5432]);
  });

  test.each([
    [{ intervalDays: 0 }, /`intervalDays` must be a whole number from 1 to 365/],
    [{ intervalDays: 400 }, /`intervalDays` must be a whole number from 1 to 365/],
    [
      { applicationRole: "Arrakis-App" },
      /`applicationRole` must be a lowercase PostgreSQL identifier.*"Arrakis-App"/,
    ],
    [{ applicationRole: "dbadmin" }, /`applicationRole` must not be the master user/],
    [{ recoveryWindowDays: 3 }, /recoveryWindowDays/],
  ])("refuses %j", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("refuses a second reader or redeploy under one key", () => {
    const role = { roleArn: "arn:aws:iam::123456789012:role/task", roleName: "task" };
    expect(() =>
      build({}, (c) => {
        c.grantRead(role, "api");
        c.grantRead(role, "api");
      }),
    ).toThrow(/`grantRead` needs a key .* unique per secret/);
    expect(() =>
      build({}, (c) => {
        c.redeployAfterRotation({ cluster: "c", service: "s" }, "api");
        c.redeployAfterRotation({ cluster: "c", service: "t" }, "api");
      }),
    ).toThrow(/`redeployAfterRotation` needs a key/);
  });
});
