export {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_URL,
  GithubDeployRoles,
  type GithubDeployRolesProps,
} from "./github-deploy-roles";
