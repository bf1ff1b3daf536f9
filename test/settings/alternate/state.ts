export { parseState, parseStateStores, type StateConfig } from "../../../environments/state-schema";

/** The second set's state store (see meeting-notes/staging.ts beside this file). */
export const stores = {
  default: {
    projectName: "acme-standup-bot",
    region: "eu-west-1",
    bucketName: "acme-standup-bot-tfstate-210987654321",
    lockTableName: "acme-standup-bot-tf-locks",
    noncurrentVersionRetentionDays: 30,
    githubOidcProvider: false,
    backend: "s3",
  },
  // Freeside's environment files stay the shipped ones (the seed's); only their store differs.
  freeside: {
    projectName: "freeside-alt",
    region: "us-east-1",
    accountId: "891376933289",
    bucketName: "freeside-alt-tfstate",
    lockTableName: "freeside-alt-locks",
    githubOidcProvider: false,
    backend: "s3",
  },
  // Candlefish's environment files stay the shipped ones; only their store differs.
  candlefish: {
    projectName: "clos-v2-alt",
    region: "us-east-1",
    accountId: "444455556666",
    bucketName: "clos-v2-alt-tfstate",
    lockTableName: "clos-v2-alt-locks",
    githubOidcProvider: false,
    backend: "s3",
  },
};
