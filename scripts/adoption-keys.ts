/**
 * `npm run --silent adoption-keys -- <stack>`: the keys `adopt.imports` accepts for a stack (the
 * construct paths of its resources), each with its resource type and the shape of its import id;
 * types this repository does not adopt are listed as such. Builds the app in memory, writes nothing.
 */
import { App, TerraformStack } from "cdktf";
import { loadStateStores } from "../environments";
import { adoptableResources, IMPORT_ID_SHAPES } from "../stacks/adoption";
import { PLATFORMS } from "../stacks/platforms";
import { buildApp } from "../stacks/registry";

const stackId = process.argv[2];
const app = new App({ outdir: "build/adoption-keys", skipValidation: true });
buildApp(app, { platforms: PLATFORMS, selected: PLATFORMS, stores: loadStateStores() });
const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
const stack = stacks.find((s) => s.node.id === stackId);
if (stack === undefined) {
  process.stderr.write(
    `Usage: npm run --silent adoption-keys -- <stack>, one of: ${stacks.map((s) => s.node.id).join(", ")}\n`,
  );
  process.exit(2);
}
for (const [path, resource] of adoptableResources(stack)) {
  const type = resource.terraformResourceType;
  const shape = IMPORT_ID_SHAPES[type];
  const note = shape ? `id like ${shape.example}` : "not adopted (created by Terraform)";
  process.stdout.write(`${path.padEnd(56)} ${type.padEnd(40)} ${note}\n`);
}
