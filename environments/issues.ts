import type { z } from "zod";

/** zod's type names in the project's words. */
const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  int: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object of settings",
  array: "a list",
  record: "an object",
};

/** The keys a schema accepts at a path (through defaults and optionals), for "did you mean" hints. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  type SchemaNode = { def?: { innerType?: SchemaNode }; shape?: Record<string, SchemaNode> } | undefined;
  let node = schema as unknown as SchemaNode;
  const unwrap = () => {
    while (node?.def?.innerType) node = node.def.innerType;
  };
  unwrap();
  for (const segment of path) {
    node = node?.shape?.[segment as string];
    unwrap();
  }
  return node?.shape ? Object.keys(node.shape) : [];
}

/** Levenshtein distance, for the closest known key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * Turns zod's first issue into the project's one message style: the full field path, the rule in
 * our words (never zod's "Too small: expected number to be >=0"), the value, and the fix. An unknown
 * key is reported before anything else, with the closest known key as a suggestion.
 */
export function describeIssue(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  readmeSection: string,
): { path: string; rule: string; value: unknown; fix: string } {
  const README_SETTINGS = `See README.md (${readmeSection}) for the accepted values.`;
  const issue = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0]!;
  // An empty key (a tag written as "") is shown as [""], not as a trailing dot.
  const at = (segments: readonly PropertyKey[]) =>
    segments
      .map((s) => (String(s) === "" ? '[""]' : String(s)))
      .join(".")
      .replace('.[""]', '[""]') || "(root)";
  const own = (message: string) => /^(must|keys|values|is|needs|only)\b/.test(message);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0]!;
      const known = knownKeys(schema, issue.path);
      const closest = known.map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d)[0];
      const parent = issue.path.length > 0 ? `${at(issue.path)}.` : "";
      const hint =
        closest && closest.d <= Math.max(2, Math.floor(key.length / 3))
          ? `Did you mean \`${parent}${closest.k}\`? `
          : "";
      return {
        path: at([...issue.path, key]),
        rule: "is not a known setting",
        value: key,
        fix: `${hint}Remove it, or check its spelling against README.md (${readmeSection}).`,
      };
    }
    case "invalid_type":
      return issue.input === undefined
        ? { path: at(issue.path), rule: "is required", value: undefined, fix: README_SETTINGS }
        : {
            path: at(issue.path),
            rule: `must be ${EXPECTED_WORDS[issue.expected] ?? `a ${issue.expected}`}`,
            value: issue.input,
            fix: README_SETTINGS,
          };
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const word = issue.code === "too_small" ? "at least" : "at most";
      const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " entries" : "";
      return {
        path: at(issue.path),
        rule: own(issue.message) ? issue.message : `must be ${word} ${String(bound)}${unit}`,
        value: issue.input,
        fix: README_SETTINGS,
      };
    }
    case "invalid_value":
      return {
        path: at(issue.path),
        rule: own(issue.message)
          ? issue.message
          : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
        value: issue.input,
        fix: README_SETTINGS,
      };
    case "invalid_key": {
      const inner = issue.issues[0];
      return {
        path: at(issue.path),
        rule: inner && own(inner.message) ? inner.message : "is not an accepted key",
        value: issue.path[issue.path.length - 1],
        fix: README_SETTINGS,
      };
    }
    default:
      return {
        path: at(issue.path),
        rule: own(issue.message) ? issue.message : "is not an accepted value",
        value: (issue as { input?: unknown }).input,
        fix: README_SETTINGS,
      };
  }
}
