import type { TerraformJson } from "./synth";

/**
 * The attribute that holds each resource type's AWS name, and the longest name AWS accepts for it
 * (from each service's API reference). Names force a replacement, so they are pinned and checked.
 */
export const NAME_ATTRIBUTES: Readonly<Record<string, { readonly attribute: string; readonly max: number }>> =
  {
    aws_iam_role: { attribute: "name", max: 64 },
    aws_iam_policy: { attribute: "name", max: 128 },
    aws_iam_role_policy: { attribute: "name", max: 128 },
    aws_lambda_function: { attribute: "function_name", max: 64 },
    aws_lb: { attribute: "name", max: 32 },
    aws_lb_target_group: { attribute: "name", max: 32 },
    aws_cloudwatch_event_rule: { attribute: "name", max: 64 },
    aws_sns_topic: { attribute: "name", max: 256 },
    aws_cloudwatch_metric_alarm: { attribute: "alarm_name", max: 255 },
    aws_secretsmanager_secret: { attribute: "name", max: 512 },
    aws_kms_alias: { attribute: "name", max: 256 },
    aws_cloudwatch_log_group: { attribute: "name", max: 512 },
    aws_ecs_cluster: { attribute: "name", max: 255 },
    aws_ecs_service: { attribute: "name", max: 255 },
    aws_ecs_task_definition: { attribute: "family", max: 255 },
    aws_ecr_repository: { attribute: "name", max: 256 },
    aws_security_group: { attribute: "name", max: 255 },
    aws_grafana_workspace: { attribute: "name", max: 255 },
    aws_grafana_workspace_service_account: { attribute: "name", max: 190 },
    aws_prometheus_workspace: { attribute: "alias", max: 100 },
    aws_appautoscaling_policy: { attribute: "name", max: 256 },
    grafana_folder: { attribute: "uid", max: 40 },
    grafana_data_source: { attribute: "uid", max: 40 },
    grafana_dashboard: { attribute: "uid", max: 40 },
  };

/** Every AWS name a stack sets, keyed `type.name`, for the types above (literal strings only). */
export function namesOf(json: TerraformJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    const spec = NAME_ATTRIBUTES[type];
    if (!spec) continue;
    for (const [name, config] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
      const value = config[spec.attribute];
      if (typeof value === "string") out[`${type}.${name}`] = value;
    }
  }
  return out;
}
