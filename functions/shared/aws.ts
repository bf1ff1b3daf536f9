/**
 * Timeouts and retries of every AWS SDK client of the functions: one call gives up after at most
 * `maxAttempts × (connectionTimeout + requestTimeout)` (21 s) plus the SDK's short backoff, well
 * inside a 60-second function timeout, so a slow endpoint ends an invocation with a logged error
 * instead of a silent Lambda timeout.
 */
export const CLIENT_OPTIONS = {
  maxAttempts: 3,
  retryMode: "standard",
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
} as const;
