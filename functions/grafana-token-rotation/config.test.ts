import { describe, expect, test } from "vitest";
import { readConfig } from "./config";

const VALID = {
  SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:meeting-notes-prod/grafana-token-AbCdEf",
  GRAFANA_WORKSPACE_ID: "g-0123456789",
  GRAFANA_URL: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/",
  GRAFANA_SERVICE_ACCOUNT_ID: "7",
  TOKEN_TTL_SECONDS: "2592000",
  METRIC_NAMESPACE: "MeetingNotes/Grafana",
};

describe("readConfig", () => {
  test("reads every variable and strips the URL's trailing slash", () => {
    expect(readConfig(VALID)).toEqual({
      secretArn: VALID.SECRET_ARN,
      workspaceId: "g-0123456789",
      grafanaUrl: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com",
      serviceAccountId: "7",
      tokenTtlSeconds: 2_592_000,
      metricNamespace: "MeetingNotes/Grafana",
    });
  });

  test("accepts a URL without trailing slash", () => {
    expect(
      readConfig({ ...VALID, GRAFANA_URL: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com" })
        .grafanaUrl,
    ).toBe("https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com");
  });

  test.each(Object.keys(VALID))("a missing %s is named in the error", (variable) => {
    const env: Record<string, string | undefined> = { ...VALID, [variable]: undefined };
    expect(() => readConfig(env)).toThrow(`Environment variable ${variable} is not set.`);
  });

  test.each([
    [
      "TOKEN_TTL_SECONDS",
      "0",
      'Environment variable TOKEN_TTL_SECONDS must be a whole number from 1 to 2592000 (Amazon Managed Grafana tokens live at most 30 days), got "0". Set it to the rotation interval plus a buffer, at most 2592000.',
    ],
    [
      "TOKEN_TTL_SECONDS",
      "2592001",
      'Environment variable TOKEN_TTL_SECONDS must be a whole number from 1 to 2592000 (Amazon Managed Grafana tokens live at most 30 days), got "2592001". Set it to the rotation interval plus a buffer, at most 2592000.',
    ],
    [
      "TOKEN_TTL_SECONDS",
      "86400.5",
      'Environment variable TOKEN_TTL_SECONDS must be a whole number from 1 to 2592000 (Amazon Managed Grafana tokens live at most 30 days), got "86400.5". Set it to the rotation interval plus a buffer, at most 2592000.',
    ],
    [
      "TOKEN_TTL_SECONDS",
      "30d",
      'Environment variable TOKEN_TTL_SECONDS must be a whole number from 1 to 2592000 (Amazon Managed Grafana tokens live at most 30 days), got "30d". Set it to the rotation interval plus a buffer, at most 2592000.',
    ],
    [
      "GRAFANA_URL",
      "http://g-0123456789.grafana-workspace.us-east-1.amazonaws.com",
      'Environment variable GRAFANA_URL must be the https endpoint of the Grafana workspace, got "http://g-0123456789.grafana-workspace.us-east-1.amazonaws.com". Set it to the workspace URL, for example https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/.',
    ],
    [
      "GRAFANA_URL",
      "g-0123456789.grafana-workspace.us-east-1.amazonaws.com",
      'Environment variable GRAFANA_URL must be the https endpoint of the Grafana workspace, got "g-0123456789.grafana-workspace.us-east-1.amazonaws.com". Set it to the workspace URL, for example https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/.',
    ],
    [
      "GRAFANA_WORKSPACE_ID",
      "g-XYZ",
      'Environment variable GRAFANA_WORKSPACE_ID must be an Amazon Managed Grafana workspace id (g- followed by 10 hexadecimal digits), got "g-XYZ". Set it to the workspace\'s id, for example g-0123456789.',
    ],
    [
      "SECRET_ARN",
      "meeting-notes-prod/grafana-token",
      'Environment variable SECRET_ARN must be the full ARN of a Secrets Manager secret, got "meeting-notes-prod/grafana-token". Set it to the secret\'s ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>).',
    ],
  ])("%s=%s is refused", (variable, value, message) => {
    let error: unknown;
    try {
      readConfig({ ...VALID, [variable]: value });
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe("InvalidEnvironmentVariableError");
    expect((error as Error).message).toBe(message);
  });
});
