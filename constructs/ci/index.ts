export {
  DEFAULT_DEPLOY_REF,
  DEFAULT_DEPLOY_WORKFLOW,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_URL,
  GithubDeployRoles,
  type GithubDeployRolesProps,
} from "./github-deploy-roles";
export { githubOidcProvider } from "./github-oidc-provider";
