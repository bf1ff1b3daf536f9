/** One IAM policy statement. Resources are ARNs (tokens allowed); `*` only where AWS offers no resource scope. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: "Allow" | "Deny";
  /** `Action`; give this or {@link PolicyStatement.notActions}. */
  readonly actions?: readonly string[];
  /** `NotAction` (every action but these): for permissions boundaries and explicit denies. */
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  /** `NotResource` (every resource but these): for explicit denies. */
  readonly notResources?: readonly string[];
  readonly principals?: Readonly<Record<string, string | readonly string[]>>;
  readonly conditions?: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>
  >;
}

/**
 * Renders an IAM policy document as a JSON string. Tokens (`${aws_x.y.arn}`) stay inside string
 * values, so the synthesized JSON stays statically readable by the policy suite.
 */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  const one = (values: readonly string[]) => (values.length === 1 ? values[0] : [...values]);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => {
      if ((s.actions === undefined) === (s.notActions === undefined)) {
        throw new Error(
          `policy statement ${s.sid ?? "(no sid)"} needs exactly one of actions and notActions`,
        );
      }
      return {
        ...(s.sid ? { Sid: s.sid } : {}),
        Effect: s.effect ?? "Allow",
        ...(s.principals ? { Principal: s.principals } : {}),
        ...(s.actions ? { Action: one(s.actions) } : { NotAction: one(s.notActions!) }),
        ...(s.resources ? { Resource: one(s.resources) } : {}),
        ...(s.notResources ? { NotResource: one(s.notResources) } : {}),
        ...(s.conditions ? { Condition: s.conditions } : {}),
      };
    }),
  });
}

/** Trust policy for a role assumed by an AWS service (`ecs-tasks.amazonaws.com`, ...). */
export function serviceTrustPolicy(service: string, conditions?: PolicyStatement["conditions"]): string {
  return policyDocument([
    {
      actions: ["sts:AssumeRole"],
      principals: { Service: service },
      ...(conditions ? { conditions } : {}),
    },
  ]);
}
