export { parseState, type StateConfig } from "../../../environments/state-schema";

/** The second set's state store (see staging.ts beside this file). */
export const state = {
  projectName: "acme-standup-bot",
  region: "eu-west-1",
  bucketName: "acme-standup-bot-tfstate-210987654321",
  lockTableName: "acme-standup-bot-tf-locks",
  noncurrentVersionRetentionDays: 30,
  githubOidcProvider: false,
  backend: "s3",
};
