/**
 * A state store in a bucket and lock table that exist already (the seed's arrakis-tfstate-<account>):
 * the store's stack creates only the key, the environments write their states under their own keys
 * with it, and a key that belongs to the other tool is refused.
 */
import { describe, expect, test } from "vitest";
import { stores } from "../../environments/state";
import { FREESIDE_FILES } from "../../stacks/freeside/platform";
import { EngineStack, requireTerraform } from "../support/engine";
import { synthFreeside } from "../support/platform";
import { resourcesOf } from "../support/synth";

const SEED_BUCKET = {
  ...stores.freeside,
  bucketName: "arrakis-tfstate-891376933289",
  lockTableName: "arrakis-terraform-locks",
  existingBucket: true,
  foreignStateKeys: ["production/terraform.tfstate"],
};

describe("a state store in the seed's existing bucket", () => {
  const stacks = synthFreeside(FREESIDE_FILES, { ...stores, freeside: SEED_BUCKET }) as Record<string, any>;

  test("its stack creates the key (and the OIDC provider when the store asks for it), not the bucket, its policy or the table", () => {
    const state = stacks["state-freeside"];
    expect(Object.keys(resourcesOf(state, "aws_kms_key"))).toHaveLength(1);
    expect(Object.values(resourcesOf(state, "aws_kms_alias"))[0].name).toBe(
      "alias/arrakis-tfstate-891376933289",
    );
    for (const type of [
      "aws_s3_bucket",
      "aws_s3_bucket_policy",
      "aws_dynamodb_table",
      "aws_s3_bucket_lifecycle_configuration",
    ]) {
      expect(resourcesOf(state, type), type).toEqual({});
    }
    // The OIDC provider follows the store's own setting (the alternate settings turn it off).
    expect(Object.keys(resourcesOf(state, "aws_iam_openid_connect_provider"))).toHaveLength(
      SEED_BUCKET.githubOidcProvider ? 1 : 0,
    );
  });

  test("the environments keep their states there under their own keys, locked in the seed's table, with the key", () => {
    const backend = stacks["freeside-production"].terraform.backend.s3;
    expect(backend).toMatchObject({
      bucket: "arrakis-tfstate-891376933289",
      key: "freeside-production/terraform.tfstate",
      workspace_key_prefix: "workspaces",
      dynamodb_table: "arrakis-terraform-locks",
      kms_key_id: "alias/arrakis-tfstate-891376933289",
    });
    // The stack runs in the workspace "production": its object is workspaces/production/freeside-production/terraform.tfstate.
    expect(backend.key).not.toBe("production/terraform.tfstate");
  });

  test("Terraform accepts the key-only state stack", async () => {
    await requireTerraform();
    const engine = await EngineStack.init("validate-state-existing-bucket", stacks["state-freeside"]);
    expect((await engine.validate()).output).toContain("The configuration is valid");
  }, 120_000);

  test("a foreign key a stack would write is refused, naming the store and the stack", () => {
    expect(() =>
      synthFreeside(FREESIDE_FILES, {
        ...stores,
        freeside: {
          ...SEED_BUCKET,
          foreignStateKeys: ["workspaces/production/freeside-production/terraform.tfstate"],
        },
      }),
    ).toThrow(
      /environments\/state\.ts: `stores\.freeside\.foreignStateKeys` names "workspaces\/production\/freeside-production\/terraform\.tfstate", which the stack freeside-production would write/,
    );
  });
});
