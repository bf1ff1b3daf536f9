import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { Construct } from "constructs";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_URL } from "./github-deploy-roles";

/**
 * The account's GitHub Actions OIDC provider (`https://token.actions.githubusercontent.com`, audience
 * `sts.amazonaws.com`), which the CI roles trust. One per account: IAM refuses a second provider with
 * the same URL. Since July 2023 AWS trusts GitHub's certificate through its own CA library, and provider
 * 5.100.0 makes `thumbprint_list` optional (computed), so no thumbprint is pinned.
 *
 * A function, not a wrapping construct: the resource is created in `scope` with `id`, so the address of a
 * provider created before this helper existed (`aws_iam_openid_connect_provider.github-oidc-provider` in
 * the `state` stack) stays what it is.
 */
export function githubOidcProvider(scope: Construct, id: string): IamOpenidConnectProvider {
  return new IamOpenidConnectProvider(scope, id, {
    url: GITHUB_OIDC_URL,
    clientIdList: [GITHUB_OIDC_AUDIENCE],
  });
}
