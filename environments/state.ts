export { parseState, type StateConfig } from "./state-schema";

/**
 * The account-wide bootstrap: state bucket, lock table and GitHub OIDC provider.
 * S3 bucket names are global: change `bucketName` to one you own before the first deploy.
 */
export const state = {
  projectName: "meeting-notes",
  region: "us-east-1",
  bucketName: "meeting-notes-terraform-state",
  lockTableName: "meeting-notes-terraform-locks",
  noncurrentVersionRetentionDays: 90,
  githubOidcProvider: true,
  // "local" for the very first deploy of the state stack; "s3" once its state is migrated (README: Remote state).
  backend: "local",
};
