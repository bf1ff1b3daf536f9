import type { App } from "cdktf";
import { loadStateStores } from "../../environments";
import prod from "../../environments/meeting-notes/prod";
import staging from "../../environments/meeting-notes/staging";
import { parseStateStores, stores } from "../../environments/state";
import { synthWarnings } from "../../stacks/app";
import { candlefishPlatform } from "../../stacks/candlefish/platform";
import { freesidePlatform } from "../../stacks/freeside/platform";
import { ENVIRONMENT_FILES, meetingNotes, meetingNotesPlatform } from "../../stacks/meeting-notes/platform";
import type { EnvironmentInput } from "../../stacks/meeting-notes/settings";
import { PLATFORMS } from "../../stacks/platforms";
import { buildApp, type PlatformDefinition } from "../../stacks/registry";
import {
  RECORDED_PROD,
  RECORDED_STAGING,
  RECORDED_STATE,
  RECORDED_WITH_ALERTS_AND_API,
} from "../fixtures/meeting-notes-settings";
import { synthStackJson, type TerraformJson, testApp } from "./synth";

/** Changes to the shipped environment files for one test build. */
export interface PlatformOverrides {
  readonly staging?: Partial<EnvironmentInput>;
  readonly prod?: Partial<EnvironmentInput>;
}

/**
 * Alerts and an API domain on, on top of whatever the environment files say: their own domain and zone
 * when they set one, else `api.<env>.example.com` in `example.com`. Staging gets its certificate issued
 * through the zone, prod a given certificate in its own region.
 */
function withAlertsAndApi(input: EnvironmentInput, givenCertificate: boolean): Partial<EnvironmentInput> {
  const zone = input.hostedZoneName ?? "example.com";
  const domain = input.apiDomain ?? `api.${input.environment}.${zone}`;
  return {
    alertEmail: input.alertEmail ?? "oncall@example.com",
    apiDomain: domain,
    hostedZoneName: zone,
    ...(givenCertificate
      ? {
          apiCertArn: `arn:aws:acm:${input.region ?? "us-east-1"}:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab`,
        }
      : { apiCertArn: undefined }),
  };
}

/** A few ready-made variants the engine and stack tests share. */
export const WITH_ALERTS_AND_API: PlatformOverrides = {
  staging: withAlertsAndApi(staging, false),
  prod: withAlertsAndApi(prod, true),
};

/** Alerts and API domain off, whatever the environment files say. */
export const WITHOUT_ALERTS_AND_API: PlatformOverrides = {
  staging: { alertEmail: undefined, apiDomain: undefined, hostedZoneName: undefined, apiCertArn: undefined },
  prod: { alertEmail: undefined, apiDomain: undefined, hostedZoneName: undefined, apiCertArn: undefined },
};

/**
 * Builds the whole platform from the shipped environment files (with optional overrides), exactly as
 * `main.ts` does, and returns every stack's synthesized Terraform JSON by stack name.
 */
export function synthPlatform(overrides: PlatformOverrides = {}): Record<string, TerraformJson> {
  return stackJsons(buildTestPlatform(overrides));
}

function stackJsons(app: App): Record<string, TerraformJson> {
  const stacks: Record<string, TerraformJson> = {};
  for (const child of app.node.children) {
    if ("toTerraform" in child) stacks[child.node.id] = synthStackJson(child as never);
  }
  return stacks;
}

/**
 * Builds an app from explicit platforms and state stores through the registry, as `main.ts` does
 * (`selected` narrows it like `PLATFORMS`). Throws what a user's synth would throw.
 */
export function synthRegistry(
  platforms: readonly PlatformDefinition[],
  storesInput: unknown = stores,
  selected?: readonly PlatformDefinition[],
): Record<string, TerraformJson> {
  const app = testApp();
  buildApp(app, { platforms, stores: parseStateStores(storesInput), ...(selected ? { selected } : {}) });
  return stackJsons(app);
}

/** Builds every platform of the registry from the shipped files and stores, as `npm run synth` does. */
export function synthApp(): Record<string, TerraformJson> {
  return synthRegistry(PLATFORMS);
}

/**
 * Builds the platform and writes it as `cdktf synth` does (keeping the `//` comments with policy
 * suppressions, which {@link synthPlatform} drops); returns the output folder.
 */
export function synthPlatformToDir(overrides: PlatformOverrides = {}): string {
  const app = buildTestPlatform(overrides);
  app.synth();
  return app.outdir;
}

/** One environment file of a test build: its settings and the file name errors should name. */
export interface EnvironmentFile {
  readonly input: Record<string, unknown>;
  readonly source: string;
}

/**
 * Builds the platform from explicit environment files and state settings, checked exactly as
 * `main.ts` checks them (schema, then the app's cross-environment and construct rules). Throws what a
 * user's synth would throw.
 */
export function synthEnvironmentFiles(
  files: readonly EnvironmentFile[],
  storesInput: unknown = stores,
): void {
  const app = testApp();
  buildApp(app, { platforms: [meetingNotesPlatform({ files })], stores: parseStateStores(storesInput) });
  app.synth();
}

/** Every stack's JSON, built from explicit inputs (the recorded settings of a pin, say). */
export function synthPlatformFromInputs(
  inputs: { readonly staging: Record<string, unknown>; readonly prod: Record<string, unknown> },
  storesInput: unknown,
): Record<string, TerraformJson> {
  const files = [
    { input: inputs.staging, source: "environments/meeting-notes/staging.ts" },
    { input: inputs.prod, source: "environments/meeting-notes/prod.ts" },
  ];
  return synthRegistry([meetingNotesPlatform({ files })], storesInput);
}

/**
 * Stacks the recorded settings build today that did not exist when the pins were recorded: the account
 * baseline (issue 11). Anything else new fails the pins.
 */
export const STACKS_ADDED_SINCE_THE_RECORDING: readonly string[] = ["account-default-us-east-1"];

/** The two variants the pins were recorded for. */
export const RECORDED_VARIANTS = {
  shipped: { staging: {}, prod: {} },
  "alerts and API domain": RECORDED_WITH_ALERTS_AND_API,
} as const;

/** Every stack of the meeting-notes platform built from the recorded settings, in one recorded variant. */
export function synthRecorded(variant: keyof typeof RECORDED_VARIANTS): Record<string, TerraformJson> {
  const overrides = RECORDED_VARIANTS[variant];
  return synthPlatformFromInputs(
    { staging: { ...RECORDED_STAGING, ...overrides.staging }, prod: { ...RECORDED_PROD, ...overrides.prod } },
    { default: RECORDED_STATE },
  );
}

/** The shipped environment files, as {@link synthEnvironmentFiles} takes them. */
export const SHIPPED_FILES: readonly EnvironmentFile[] = ENVIRONMENT_FILES.map((f) => ({
  input: f.input as Record<string, unknown>,
  source: f.source,
}));

/** The warnings `npm run synth` prints for the platform built with these overrides. */
export function platformWarnings(overrides: PlatformOverrides = {}): string[] {
  return synthWarnings(buildTestPlatform(overrides));
}

function buildTestPlatform(overrides: PlatformOverrides) {
  const app = testApp();
  const files = [
    { input: { ...staging, ...overrides.staging }, source: "environments/meeting-notes/staging.ts" },
    { input: { ...prod, ...overrides.prod }, source: "environments/meeting-notes/prod.ts" },
  ];
  buildApp(app, { platforms: [meetingNotesPlatform({ files })], stores: parseStateStores(stores) });
  return app;
}

/** The shipped meeting-notes environments, checked (environments/meeting-notes/*.ts). */
export function loadEnvironments() {
  return meetingNotes.environments();
}

/** The shipped state store the meeting-notes environments use, checked (environments/state.ts). */
export function loadState() {
  const env = loadEnvironments()[0]!;
  return loadStateStores()[env.stateStore]!;
}

/**
 * Freeside's stacks only (and their stores), from the given environment files: the registry still
 * checks them against every platform, but only Freeside is built, which is what most Freeside tests
 * need at half the synth time.
 */
export function synthFreeside(
  files: Parameters<typeof freesidePlatform>[0],
  storesInput: unknown = stores,
): Record<string, TerraformJson> {
  const platform = freesidePlatform(files);
  return synthRegistry([meetingNotes, platform], storesInput, [platform]);
}

/** Candlefish's stacks only (and their stores), from the given environment files. */
export function synthCandlefish(
  files: Parameters<typeof candlefishPlatform>[0],
  storesInput: unknown = stores,
): Record<string, TerraformJson> {
  const platform = candlefishPlatform(files);
  return synthRegistry([meetingNotes, platform], storesInput, [platform]);
}
