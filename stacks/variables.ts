import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";

/**
 * The stack's `image_tag` variable: which tag of its ECR repository the services run (CI passes the
 * commit SHA), checked by Terraform to be a Docker image tag.
 */
export function imageTagVariable(stack: Construct, what: string): TerraformVariable {
  return new TerraformVariable(stack, "image_tag", {
    type: "string",
    description: `Tag of ${what} in the ECR repository to run (CI passes the commit SHA: -var image_tag=<sha>).`,
    validation: [
      {
        condition: '${can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))}',
        errorMessage:
          "image_tag must be a Docker image tag: letters, digits, _, . and -, at most 128 characters.",
      },
    ],
  });
}
