import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AccountBaseline, type AccountBaselineProps } from "../constructs/baseline";
import type { StateConfig } from "../environments";
import { useRemoteState } from "./backend";
import { addAwsProvider } from "./providers";

/** The id of a state store's baseline stack for one region: `account-<store>-<region>`. */
export function accountStackId(store: string, region: string): string {
  return `account-${store}-${region}`;
}

/** Properties of {@link AccountStack}. */
export interface AccountStackProps {
  /** The state store of the account (its bucket keeps this stack's state; its `baseline` settings apply). */
  readonly store: StateConfig;
  /** The region this stack's singletons live in. */
  readonly region: string;
}

/**
 * One AWS account's singletons in one region ({@link AccountBaseline}): the trail and the API Gateway
 * logging role in the store's home region (its `region`), GuardDuty and Security Hub in every region
 * the account's environments use. Applied by an administrator in the `default` workspace, after the
 * store's `state` stack; its state lives in the store's bucket.
 */
export class AccountStack extends TerraformStack {
  /** The account's singletons. */
  public readonly baseline: AccountBaseline;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id);
    const { store, region } = props;
    addAwsProvider(this, {
      region,
      tags: { Project: store.projectName, Stack: id, ManagedBy: "cdktf" },
      accountId: store.accountId,
    });
    useRemoteState(this, store, id);
    // The settings' shape was checked by the schema; their values (feature names, ...) are the construct's to check.
    const settings = store.baseline as Omit<AccountBaselineProps, "namePrefix" | "homeRegion">;
    this.baseline = new AccountBaseline(this, "baseline", {
      ...settings,
      namePrefix: store.projectName,
      homeRegion: region === store.region,
    });
    const out = (name: string, value: string | undefined, description: string) => {
      if (value !== undefined) new TerraformOutput(this, name, { value, description });
    };
    out("trail_arn", this.baseline.trailArn, "CloudTrail trail recording the account");
    out("trail_bucket_name", this.baseline.trailBucketName, "Bucket of the trail's log files");
    out("guardduty_detector_id", this.baseline.detectorId, "GuardDuty detector of the region");
    out(
      "apigateway_logging_role_arn",
      this.baseline.apiGatewayLoggingRoleArn,
      "Role API Gateway writes its logs with (set on the account)",
    );
  }
}
