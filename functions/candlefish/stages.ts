/**
 * The workflow's stages, in order, with their gates and WIP limits: a setting of the environment,
 * passed to the functions as `STAGES` (JSON). Must agree with the `stages` table's keys.
 */
import { z } from "zod";
import { type Environment, requireEnv } from "../shared/env";
import { InvalidEnvironmentVariableError } from "../shared/errors";

export const Stage = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  /** Entering the stage needs an approver other than the requester. */
  requiresApproval: z.boolean(),
  /** Items the stage may hold at once; absent for no limit. */
  wipLimit: z.number().int().min(1).optional(),
});
export type Stage = z.output<typeof Stage>;

export function readStages(env: Environment = process.env): readonly Stage[] {
  const raw = requireEnv("STAGES", env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidEnvironmentVariableError(
      "STAGES",
      "must be JSON",
      raw,
      "Set it from the environment's stages setting.",
    );
  }
  const result = z.array(Stage).min(1).safeParse(parsed);
  if (!result.success) {
    throw new InvalidEnvironmentVariableError(
      "STAGES",
      `must be a list of { key, requiresApproval, wipLimit? } (${result.error.issues[0]?.message})`,
      raw,
      "Set it from the environment's stages setting.",
    );
  }
  return result.data;
}
