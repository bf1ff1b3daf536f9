import type { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import {
  EcsCluster,
  type EcsClusterProps,
  ImageRepository,
  type ImageRepositoryProps,
} from "../../constructs/service";
import { key, naming } from "../support/fixtures";
import { onlyResource, parsed, synthScope } from "../support/synth";

const cluster = (overrides: Partial<EcsClusterProps> = {}) =>
  synthScope((s: Construct) => {
    new EcsCluster(s, "cluster", { naming, ...overrides });
  });

describe("EcsCluster", () => {
  test("defaults: named <project>-<env>-cluster, Container Insights on, both Fargate capacity providers", () => {
    const json = cluster();
    expect(onlyResource(json, "aws_ecs_cluster")).toMatchObject({
      name: "meeting-notes-staging-cluster",
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    expect(onlyResource(json, "aws_ecs_cluster_capacity_providers")).toMatchObject({
      capacity_providers: ["FARGATE", "FARGATE_SPOT"],
    });
    expect(onlyResource(json, "aws_ecs_cluster_capacity_providers").cluster_name).toMatch(
      /^\$\{aws_ecs_cluster\.\w+\.name\}$/,
    );
  });

  test("name and Container Insights can be set", () => {
    const json = cluster({ name: "workers", containerInsights: false });
    expect(onlyResource(json, "aws_ecs_cluster")).toMatchObject({
      name: "meeting-notes-staging-workers",
      setting: [{ name: "containerInsights", value: "disabled" }],
    });
  });

  test.each([["Bot"], ["1st"], ["a".repeat(21)]])("the name %j is refused", (name) => {
    expect(() => cluster({ name })).toThrow(
      `\`name\` must be 1-20 lowercase letters, digits and hyphens, starting with a letter, got ${JSON.stringify(name)}. Use a short name such as "cluster".`,
    );
  });
});

const repository = (overrides: Partial<ImageRepositoryProps> = {}) => {
  let built: ImageRepository | undefined;
  const json = synthScope((s: Construct) => {
    built = new ImageRepository(s, "image", { naming, name: "bot", encryptionKey: key, ...overrides });
  });
  return { json, repository: built! };
};

describe("ImageRepository", () => {
  test("defaults: immutable tags, scan on push, the given key, the newest 30 images kept", () => {
    const { json } = repository();
    expect(onlyResource(json, "aws_ecr_repository")).toMatchObject({
      name: "meeting-notes-staging-bot",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS", kms_key: key.keyArn }],
    });
    expect(parsed(onlyResource(json, "aws_ecr_lifecycle_policy").policy).rules).toEqual([
      {
        rulePriority: 1,
        description: "Keep the last 30 images",
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
        action: { type: "expire" },
      },
    ]);
  });

  test("keepImages can be set", () => {
    const { json } = repository({ keepImages: 5 });
    expect(parsed(onlyResource(json, "aws_ecr_lifecycle_policy").policy).rules[0].selection.countNumber).toBe(
      5,
    );
  });

  test("pull statements reach this repository and its key (through ECR) only", () => {
    const { repository: r } = repository();
    const statements = r.pullStatements();
    expect(statements.map((st) => st.sid)).toEqual(["EcrLogin", "PullImage", "DecryptImageLayers"]);
    expect(statements[1]!.resources).toEqual([r.repositoryArn]);
    expect(statements[2]).toMatchObject({
      resources: [key.keyArn],
      conditions: { StringLike: { "kms:ViaService": "ecr.*.amazonaws.com" } },
    });
  });

  test.each<[Partial<ImageRepositoryProps>, string]>([
    [{ keepImages: 0 }, "`keepImages` must be a whole number from 1 to 1000, got 0."],
    [
      { name: "Bot" },
      '`name` must be 1-20 lowercase letters, digits and hyphens, starting with a letter, got "Bot". Use the service\'s short name, such as "bot".',
    ],
  ])("refuses %j", (overrides, message) => {
    expect(() => repository(overrides)).toThrow(message);
  });
});
