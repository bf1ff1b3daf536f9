import type { Rule } from "../types";
import { albRules } from "./alb";
import { containerRules } from "./containers";
import { databaseRules } from "./databases";
import { eventRules } from "./events";
import { iamRules } from "./iam";
import { kmsRules } from "./kms";
import { metaRules } from "./meta";
import { networkRules } from "./network";
import { observabilityRules } from "./observability";
import { s3Rules } from "./s3";
import { serviceRules } from "./services";
import { wafRules } from "./waf";

/** Every rule of the policy suite, in report order. */
export const RULES: readonly Rule[] = [
  ...s3Rules,
  ...kmsRules,
  ...iamRules,
  ...networkRules,
  ...albRules,
  ...containerRules,
  ...observabilityRules,
  ...serviceRules,
  ...databaseRules,
  ...eventRules,
  ...wafRules,
  ...metaRules,
];

/** A rule by ID. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
