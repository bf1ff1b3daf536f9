import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { Construct } from "constructs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { requireLogRetention } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** Properties of {@link Prometheus}. */
export interface PrometheusProps {
  /** Project and environment the workspace alias derives from. */
  readonly naming: ResourceNaming;
  /** Key for the workspace's data and its log group. */
  readonly encryptionKey: KeyReference;
  /**
   * Send the workspace's rule and ingestion logs to CloudWatch Logs.
   * @default true
   */
  readonly logging?: boolean;
  /**
   * Days the workspace's logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/** An Amazon Managed Service for Prometheus workspace, aliased `<project>-<environment>`. */
export class Prometheus extends Construct {
  /** Workspace id (`ws-...`). */
  public readonly workspaceId: string;
  /** Workspace ARN. */
  public readonly workspaceArn: string;
  /** Prometheus-compatible endpoint, ending in `/`: queries go to `<endpoint>api/v1/query`. */
  public readonly endpoint: string;
  /** Where agents remote-write samples. */
  public readonly remoteWriteUrl: string;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const logging = props.logging ?? true;
    const retention = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    requireLogRetention("logRetentionDays", retention);
    const alias = limitedName(NAME_LIMITS.prometheusAlias, props.naming);
    const logGroup = logging
      ? new CloudwatchLogGroup(this, "logs", {
          name: `/aws/vendedlogs/prometheus/${alias}`,
          retentionInDays: retention,
          kmsKeyId: props.encryptionKey.keyArn,
        })
      : undefined;
    if (logGroup) props.encryptionKey.grantLogGroup(`/aws/vendedlogs/prometheus/${alias}`);
    const workspace = new PrometheusWorkspace(this, "workspace", {
      alias,
      kmsKeyArn: props.encryptionKey.keyArn,
      ...(logGroup ? { loggingConfiguration: { logGroupArn: `${logGroup.arn}:*` } } : {}),
    });
    this.workspaceId = workspace.id;
    this.workspaceArn = workspace.arn;
    this.endpoint = workspace.prometheusEndpoint;
    this.remoteWriteUrl = `${workspace.prometheusEndpoint}api/v1/remote_write`;
  }
}
