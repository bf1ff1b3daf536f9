/**
 * Canary `api-health` (README: Candlefish canaries): `GET <API_URL>/health` through the load
 * balancer (and WAF), asserting a 200 within the time limit. A failed assertion throws, which fails
 * the canary's run.
 */

export interface ApiHealthDependencies {
  /** `https://api.example.com` (no trailing slash). */
  readonly apiUrl: string;
  readonly fetch: typeof fetch;
  /** Milliseconds the answer may take. @default 3000 */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export function createApiHealthCheck(
  deps: ApiHealthDependencies,
): () => Promise<{ status: number; ms: number }> {
  const timeoutMs = deps.timeoutMs ?? 3000;
  const now = deps.now ?? Date.now;
  return async () => {
    const started = now();
    let response: Response;
    try {
      response = await deps.fetch(`${deps.apiUrl}/health`, {
        method: "GET",
        headers: { "user-agent": "candlefish-canary/api-health" },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "manual",
      });
    } catch (error) {
      throw new Error(
        `GET ${deps.apiUrl}/health got no answer within ${timeoutMs} ms: ${(error as Error).message}`,
      );
    }
    const ms = now() - started;
    if (response.status !== 200) {
      throw new Error(`GET ${deps.apiUrl}/health answered ${response.status}, expected 200`);
    }
    if (ms > timeoutMs) {
      throw new Error(`GET ${deps.apiUrl}/health took ${ms} ms, more than ${timeoutMs} ms`);
    }
    return { status: response.status, ms };
  };
}
