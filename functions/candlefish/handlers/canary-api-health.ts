/** Entry of the `api-health` canary (canaries/api-health.ts). Environment: `API_URL`. */
import { requireEnvHttpsUrl } from "../../shared/env";
import { createApiHealthCheck } from "../canaries/api-health";

const check = createApiHealthCheck({
  apiUrl: requireEnvHttpsUrl("API_URL", "must be the API's https URL", "Set it to the api_url output."),
  fetch,
});

export const handler = async () => check();
