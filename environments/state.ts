export { parseState, parseStateStores, type StateConfig, type StateStoreInput } from "./state-schema";

/**
 * The state stores: one bootstrap stack per AWS account, each with its state bucket, lock table, key
 * and (optionally) the account's GitHub OIDC provider. Every environment names the store it keeps its
 * state in (`stateStore`). The store named `default` is the `state` stack; any other is `state-<name>`.
 * S3 bucket names are global: change `bucketName` to one you own before the first deploy.
 */
export const stores = {
  default: {
    projectName: "meeting-notes",
    region: "us-east-1",
    bucketName: "meeting-notes-terraform-state",
    lockTableName: "meeting-notes-terraform-locks",
    noncurrentVersionRetentionDays: 90,
    githubOidcProvider: true,
    // "local" for the very first deploy of the state stack; "s3" once its state is migrated (README: Remote state).
    backend: "local",
  },
  // Freeside's account (seed 002): a bucket of its own, apart from the seed's arrakis-tfstate-<account>
  // bucket, which holds the state of what runs there today.
  freeside: {
    projectName: "arrakis",
    region: "us-east-1",
    accountId: "891376933289",
    bucketName: "arrakis-cdktf-state-891376933289",
    lockTableName: "arrakis-cdktf-locks",
    noncurrentVersionRetentionDays: 90,
    githubOidcProvider: true,
    backend: "local",
  },
  // Candlefish's account (seed 001): its own bucket; its baseline stack records the account with
  // CloudTrail (the seed's "Audit: CloudTrail logging enabled by default").
  candlefish: {
    projectName: "clos-v2",
    region: "us-east-1",
    // Replace with Candlefish's account before the first deploy (Terraform refuses credentials of any other).
    accountId: "444455556666",
    bucketName: "clos-v2-cdktf-state-444455556666",
    lockTableName: "clos-v2-cdktf-locks",
    noncurrentVersionRetentionDays: 90,
    githubOidcProvider: true,
    backend: "local",
  },
};
