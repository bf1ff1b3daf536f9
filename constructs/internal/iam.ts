/** One IAM policy statement. Resources are ARNs (tokens allowed); `*` only where AWS offers no resource scope. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources?: readonly string[];
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
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? "Allow",
      ...(s.principals ? { Principal: s.principals } : {}),
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions],
      ...(s.resources ? { Resource: s.resources.length === 1 ? s.resources[0] : [...s.resources] } : {}),
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
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
