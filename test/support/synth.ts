import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack as Stack, type TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";

/** Parsed Terraform JSON as cdktf writes it. */
export interface TerraformJson {
  terraform?: Record<string, any>;
  provider?: Record<string, any>;
  variable?: Record<string, any>;
  locals?: Record<string, any>;
  data?: Record<string, Record<string, any>>;
  ephemeral?: Record<string, Record<string, any>>;
  resource?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  moved?: any[];
  [key: string]: unknown;
}

/**
 * Builds one stack (with an AWS provider in us-east-1) around what `build` adds to it,
 * and returns the stack's synthesized Terraform JSON.
 */
export function synthScope(build: (scope: Construct) => void): TerraformJson {
  const app = Testing.app();
  const stack = new Stack(app, "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** Returns the synthesized JSON of a stack some builder already added to an app. */
export function synthStackJson(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** A fresh app for stack-level tests; use {@link synthStackJson} on its stacks. */
export function testApp(): App {
  return Testing.app();
}

/** Every resource of a type, keyed by its Terraform name. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** Every data source of a type, keyed by its Terraform name. */
export function dataOf(json: TerraformJson, type: string): Record<string, any> {
  return json.data?.[type] ?? {};
}

/** The only resource of a type; fails when there are none or several. */
export function onlyResource(json: TerraformJson, type: string): any {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Terraform addresses (`type.name`) of every resource in the stack. */
export function addresses(json: TerraformJson): string[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => `${type}.${name}`),
  );
}

/**
 * Maps a stack's current resource addresses back through its `moved` blocks to where each resource was
 * (a moved resource's `to` becomes its `from`; others stay), for pins recorded before a move.
 */
export function beforeMoves(json: TerraformJson): (address: string) => string {
  const moved = ((json as { moved?: { from: string; to: string }[] }).moved ?? []).map(
    (m) => [m.to, m.from] as const,
  );
  const back = new Map(moved);
  return (address) => back.get(address) ?? address;
}

/** Parses a JSON-encoded IAM policy document or container definition that cdktf wrote as a string. */
export function parsed<T = any>(value: unknown): T {
  if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}
