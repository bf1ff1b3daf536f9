/**
 * A read-only view of one synthesized stack with the helpers rules share: reference resolution,
 * nested-block normalisation, token detection and IAM policy parsing.
 */

/** A `resource` or `data` block of the stack. */
export interface TfNode {
  readonly kind: "resource" | "data";
  readonly type: string;
  readonly name: string;
  /** `type.name` for resources, `data.type.name` for data sources. */
  readonly address: string;
  readonly config: Record<string, any>;
}

/** A parsed reference such as `${aws_s3_bucket.logs.id}`. */
export interface Reference {
  readonly kind: "resource" | "data";
  readonly type: string;
  readonly name: string;
  readonly attribute: string;
}

const WHOLE_REFERENCE =
  /^\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)(?:\[[^\]]*\])?\}$/;

/** True when a value holds a Terraform expression (`${...}`): its value is unknown at synth. */
export function isToken(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** Parses a string that is exactly one reference to a resource or data source attribute. */
export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const match = WHOLE_REFERENCE.exec(value);
  if (!match) return undefined;
  const [, data, type, name, attribute] = match;
  return { kind: data ? "data" : "resource", type: type!, name: name!, attribute: attribute! };
}

/** Normalises a nested block (cdktf writes single blocks as objects and repeated ones as arrays). */
export function blocks(value: unknown): Record<string, any>[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v) => v !== null && typeof v === "object");
  if (typeof value === "object") return [value as Record<string, any>];
  return [];
}

/** The first nested block, if any. */
export function block(value: unknown): Record<string, any> | undefined {
  return blocks(value)[0];
}

/** A string or list of strings as a list. */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

/** `true`/`false` for literal booleans (and their string forms), `undefined` when absent or a token. */
export function bool(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

/** A literal number (or numeric string), `undefined` when absent or a token. */
export function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** A read-only model of one stack. */
export class StackModel {
  readonly nodes: readonly TfNode[];
  private readonly index = new Map<string, TfNode>();

  constructor(
    readonly name: string,
    readonly json: Record<string, any>,
  ) {
    const nodes: TfNode[] = [];
    for (const kind of ["resource", "data"] as const) {
      const byType = (json[kind] ?? {}) as Record<string, Record<string, any>>;
      for (const [type, byName] of Object.entries(byType)) {
        if (type === "//" || byName === null || typeof byName !== "object") continue;
        for (const [name, config] of Object.entries(byName)) {
          if (name === "//" || config === null || typeof config !== "object") continue;
          const address = kind === "resource" ? `${type}.${name}` : `data.${type}.${name}`;
          const node: TfNode = { kind, type, name, address, config };
          nodes.push(node);
          this.index.set(address, node);
        }
      }
    }
    this.nodes = nodes;
  }

  /** Every resource of a type. */
  resources(type: string): TfNode[] {
    return this.nodes.filter((n) => n.kind === "resource" && n.type === type);
  }

  /** The node at an address (`type.name` or `data.type.name`). */
  node(address: string): TfNode | undefined {
    return this.index.get(address);
  }

  /** The node a reference string points to, when it is exactly one reference to a node of this stack. */
  resolve(value: unknown): TfNode | undefined {
    const ref = parseReference(value);
    if (!ref) return undefined;
    return this.index.get(
      ref.kind === "resource" ? `${ref.type}.${ref.name}` : `data.${ref.type}.${ref.name}`,
    );
  }

  /**
   * True when `value` identifies `target`: a reference to any of its attributes, or a literal equal
   * to one of the target's literal identifying attributes (for example an S3 bucket's `bucket`).
   */
  pointsTo(value: unknown, target: TfNode, literalKeys: readonly string[] = []): boolean {
    const resolved = this.resolve(value);
    if (resolved) return resolved === target;
    if (typeof value !== "string" || isToken(value)) return false;
    return literalKeys.some((key) => typeof target.config[key] === "string" && target.config[key] === value);
  }

  /** Resources of `type` whose attribute `attribute` identifies `target`. */
  referrers(type: string, attribute: string, target: TfNode, literalKeys: readonly string[] = []): TfNode[] {
    return this.resources(type).filter((n) => this.pointsTo(n.config[attribute], target, literalKeys));
  }

  /** True when an attribute value cannot be tied to a node of this stack (token or foreign reference). */
  isOpaque(value: unknown): boolean {
    return isToken(value) && this.resolve(value) === undefined;
  }
}

/** One IAM policy statement, normalised. */
export interface Statement {
  readonly effect: "Allow" | "Deny";
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** `undefined` when the statement has no `Principal` (identity policies). */
  readonly principal: Principal | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: Record<string, Record<string, unknown>>;
}

/** A statement's principal: `"*"` or typed lists. */
export interface Principal {
  readonly wildcard: boolean;
  readonly aws: string[];
  readonly service: string[];
  readonly federated: string[];
}

/** The result of reading an IAM policy attribute. */
export type PolicyRead =
  | { readonly status: "absent" }
  | { readonly status: "unknown"; readonly raw: string }
  | { readonly status: "invalid"; readonly raw: string }
  | { readonly status: "ok"; readonly statements: Statement[] };

function principalOf(value: unknown): Principal | undefined {
  if (value === undefined) return undefined;
  if (value === "*") return { wildcard: true, aws: [], service: [], federated: [] };
  if (value !== null && typeof value === "object") {
    const p = value as Record<string, unknown>;
    const aws = strings(p.AWS);
    return { wildcard: aws.includes("*"), aws, service: strings(p.Service), federated: strings(p.Federated) };
  }
  return { wildcard: false, aws: [], service: [], federated: [] };
}

function statementOf(raw: Record<string, unknown>): Statement {
  const conditions: Record<string, Record<string, unknown>> = {};
  const cond = raw.Condition;
  if (cond !== null && typeof cond === "object") {
    for (const [op, byKey] of Object.entries(cond as Record<string, unknown>)) {
      if (byKey !== null && typeof byKey === "object") conditions[op] = byKey as Record<string, unknown>;
    }
  }
  return {
    effect: raw.Effect === "Deny" ? "Deny" : "Allow",
    actions: strings(raw.Action),
    notActions: strings(raw.NotAction),
    resources: strings(raw.Resource),
    notResources: strings(raw.NotResource),
    principal: principalOf(raw.Principal ?? raw.NotPrincipal),
    notPrincipal: raw.NotPrincipal !== undefined,
    conditions,
  };
}

/**
 * Reads an IAM policy attribute. The repository writes policies as JSON strings whose values may
 * contain `${...}` tokens; those parse fine. A value that is itself an expression (for example
 * `${data.aws_iam_policy_document.x.json}`) is `unknown`.
 */
export function readPolicy(value: unknown): PolicyRead {
  if (value === undefined || value === null || value === "") return { status: "absent" };
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch {
      return isToken(value) ? { status: "unknown", raw: value } : { status: "invalid", raw: value };
    }
  }
  if (doc === null || typeof doc !== "object") return { status: "invalid", raw: String(value) };
  const raw = (doc as Record<string, unknown>).Statement;
  const list = Array.isArray(raw) ? raw : raw !== null && typeof raw === "object" ? [raw] : [];
  return {
    status: "ok",
    statements: list
      .filter((s): s is Record<string, unknown> => s !== null && typeof s === "object")
      .map(statementOf),
  };
}

/** Every condition key a statement tests, lower-cased (`aws:sourcearn`, ...). */
export function conditionKeys(statement: Statement): string[] {
  return Object.values(statement.conditions).flatMap((byKey) =>
    Object.keys(byKey).map((k) => k.toLowerCase()),
  );
}

/** The values a statement's conditions give a key (any operator), as strings. */
export function conditionValues(statement: Statement, key: string): { operator: string; values: string[] }[] {
  const out: { operator: string; values: string[] }[] = [];
  for (const [operator, byKey] of Object.entries(statement.conditions)) {
    for (const [k, v] of Object.entries(byKey)) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      const values = (Array.isArray(v) ? v : [v]).map((x) => String(x));
      out.push({ operator, values });
    }
  }
  return out;
}

/** True when an IAM action pattern (may contain `*`/`?`) matches an action, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
    "i",
  );
  return re.test(action);
}

/** True when a principal ARN (or bare account ID) names an account root. */
export function isAccountRoot(principal: string): boolean {
  return (
    /^arn:[^:]*:iam::[^:]+:root$/.test(principal) ||
    /^\d{12}$/.test(principal) ||
    /^\$\{[^}]*account_id\}$/.test(principal)
  );
}

/** Allow statements open to everyone (`*` principal) with no condition at all. */
export function openStatements(statements: readonly Statement[]): Statement[] {
  return statements.filter(
    (s) =>
      s.effect === "Allow" &&
      !s.notPrincipal &&
      s.principal?.wildcard === true &&
      Object.keys(s.conditions).length === 0,
  );
}
