import type { StackModel } from "./model";

/** How bad a violation is. Every violation fails the run; severity orders the work. */
export type Severity = "critical" | "high" | "medium" | "low";

/** Checks in other tools that a rule of ours mirrors (fully or in part). */
export interface ExternalIds {
  /** Checkov check IDs (`CKV_AWS_*`, `CKV2_AWS_*`). */
  readonly checkov?: readonly string[];
  /** cdk-nag AwsSolutions rule IDs (`AwsSolutions-*`). */
  readonly cdkNag?: readonly string[];
}

/** One synthesized stack: its name (the folder under `cdktf.out/stacks/`) and its parsed Terraform JSON. */
export interface PolicyStack {
  readonly name: string;
  readonly json: Record<string, unknown>;
}

/** What a rule reports: the Terraform address it is about and why. */
export interface RuleHit {
  /** `type.name` for resources, `data.type.name` for data sources; suppressions attach here. */
  readonly address: string;
  readonly message: string;
}

/** What a rule sees: the stack under evaluation and every stack of the run (for cross-stack facts). */
export interface RuleContext {
  readonly stack: StackModel;
  readonly stacks: readonly StackModel[];
  /** IDs of every rule in the run (suppressions of other IDs are themselves violations). */
  readonly ruleIds: ReadonlySet<string>;
  /** The day the run judges dated facts (runtime end-of-life) against. */
  readonly today: Date;
}

/** A policy rule over synthesized Terraform JSON. */
export interface Rule {
  /** Our ID, `<AREA>-<NNN>`, stable: suppressions name it. */
  readonly id: string;
  /** What the rule requires, one line. */
  readonly title: string;
  /** Why, one line. */
  readonly rationale: string;
  readonly severity: Severity;
  readonly external: ExternalIds;
  /** Yields one hit per offending resource. Must not report what it cannot know (unresolved tokens). */
  check(context: RuleContext): Iterable<RuleHit>;
}

/** A violation found in one stack. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly stack: string;
  readonly address: string;
  readonly message: string;
}

/** A finding that a reasoned in-code suppression turned off. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

/** A suppression that matched no finding (stale or misplaced); reported, not a violation. */
export interface UnusedSuppression {
  readonly ruleId: string;
  readonly stack: string;
  readonly address: string;
  readonly reason: string;
}

/** The result of evaluating every rule over every stack. */
export interface PolicyReport {
  readonly rules: number;
  readonly stacks: number;
  readonly violations: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly unusedSuppressions: readonly UnusedSuppression[];
}
