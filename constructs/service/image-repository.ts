import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import type { PolicyStatement } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** Properties of {@link ImageRepository}. */
export interface ImageRepositoryProps {
  /** Project and environment the repository name derives from. */
  readonly naming: ResourceNaming;
  /** Name suffix: the repository is `<project>-<environment>-<name>` (changing it replaces the repository). */
  readonly name: string;
  /** Key the images are encrypted with (changing it replaces the repository). */
  readonly encryptionKey: KeyReference;
  /**
   * Images kept; older ones expire.
   * @default 30
   */
  readonly keepImages?: number;
  /**
   * The repository's whole name, for one that exists under another name (an adopted repository).
   * Changing it replaces the repository.
   * @default - `<project>-<environment>-<name>`
   */
  readonly repositoryName?: string;
}

/**
 * One service's ECR repository: immutable tags (a tag names one image forever), scan on push, images
 * encrypted with the given key, and a lifecycle that keeps the newest `keepImages` images.
 */
export class ImageRepository extends Construct {
  /** Name of the repository. */
  public readonly repositoryName: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  public readonly repositoryUrl: string;
  /** ARN of the repository. */
  public readonly repositoryArn: string;
  /** The repository resource (a platform that had it at another address moves it from there). */
  public readonly resource: EcrRepository;
  /** The lifecycle policy resource (likewise). */
  public readonly lifecycle: EcrLifecyclePolicy;
  private readonly keyArn: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(props.name)) {
      throw invalid(
        "name",
        "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
        props.name,
        'Use the service\'s short name, such as "bot".',
      );
    }
    requireIntegerInRange("keepImages", keepImages, 1, 1000);
    if (
      props.repositoryName !== undefined &&
      !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(props.repositoryName)
    ) {
      throw invalid(
        "repositoryName",
        "must be an ECR repository name (lowercase letters and digits, separated by ., _, - or /)",
        props.repositoryName,
        'Use the running repository\'s name, such as "arrakis-api".',
      );
    }
    this.keyArn = props.encryptionKey.keyArn;
    this.resource = new EcrRepository(this, "repository", {
      name: props.repositoryName ?? limitedName(NAME_LIMITS.ecs, props.naming, props.name),
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.encryptionKey.keyArn }],
    });
    this.lifecycle = new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.resource.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the last ${keepImages} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
            action: { type: "expire" },
          },
        ],
      }),
    });
    this.repositoryName = this.resource.name;
    this.repositoryUrl = this.resource.repositoryUrl;
    this.repositoryArn = this.resource.arn;
  }

  /**
   * The statements a role needs to pull this repository's images (for a task execution role):
   * the registry login (which IAM cannot scope), the layer reads on this repository only, and
   * decryption with its key through ECR only.
   */
  pullStatements(): PolicyStatement[] {
    return [
      // GetAuthorizationToken has no resource scope in IAM.
      { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      {
        sid: "PullImage",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        resources: [this.repositoryArn],
      },
      {
        sid: "DecryptImageLayers",
        actions: ["kms:Decrypt"],
        resources: [this.keyArn],
        conditions: { StringLike: { "kms:ViaService": "ecr.*.amazonaws.com" } },
      },
    ];
  }
}
