/**
 * The platform registry (stacks/registry.ts): what it checks across platforms before any stack is
 * built, how PLATFORMS narrows a synth, and the state stores each environment names.
 */
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import type { PlatformEnvironment } from "../environments/fields";
import { parseStateStores, stores as shippedStores } from "../environments/state";
import { meetingNotesPlatform } from "../stacks/meeting-notes/platform";
import {
  definePlatform,
  githubVariable,
  type PlatformDefinition,
  planApp,
  selectPlatforms,
} from "../stacks/registry";
import { SHIPPED_FILES, synthRegistry } from "./support/platform";

const STORE = {
  projectName: "platforms",
  region: "us-east-1",
  bucketName: "platforms-terraform-state",
  lockTableName: "platforms-terraform-locks",
};
const STORES = { default: STORE };

interface FakeEnvironment {
  readonly environment: string;
  readonly projectName?: string;
  readonly stateStore?: string;
  readonly accountId?: string;
  readonly workspace?: string;
  readonly githubEnvironment?: string;
}

/** A platform whose stacks are empty: enough for the registry, which never looks inside them. */
function fakePlatform(
  name: string,
  envs: readonly FakeEnvironment[],
  options: {
    readonly ids?: (env: PlatformEnvironment) => string[];
    readonly build?: (app: Construct, env: PlatformEnvironment) => void;
  } = {},
): PlatformDefinition {
  const ids = options.ids ?? ((env: PlatformEnvironment) => [`${name}-${env.environment}`]);
  return definePlatform({
    name,
    environments: () =>
      envs.map((e) => ({
        source: `environments/${name}/${e.environment}.ts`,
        projectName: e.projectName ?? name,
        environment: e.environment,
        region: "us-east-1",
        workspace: e.workspace ?? `${name}-${e.environment}`,
        stateStore: e.stateStore ?? "default",
        tags: {},
        ci: {
          githubRepository: "example-org/platforms",
          githubEnvironment: e.githubEnvironment ?? `${name}-${e.environment}`,
          deployOnPush: false,
        },
        ...(e.accountId ? { accountId: e.accountId } : {}),
      })),
    stacks: (env) =>
      ids(env).map((id) => ({
        id,
        plan: true,
        planRoleVariable: githubVariable("AWS_PLAN_ROLE_ARN", name, env.environment),
      })),
    build: (app, context) => {
      for (const env of context.environments) {
        if (options.build) options.build(app, env);
        else for (const id of ids(env)) new TerraformStack(app, id);
      }
    },
  });
}

const stackIds = (stacks: Record<string, unknown>) => Object.keys(stacks).sort();

describe("platforms are direct children of one app, each stack id once", () => {
  test("two platforms build their stacks side by side, with the state store's stack", () => {
    const stacks = synthRegistry(
      [fakePlatform("alpha", [{ environment: "dev" }]), fakePlatform("beta", [{ environment: "qa" }])],
      STORES,
    );
    expect(stackIds(stacks)).toEqual(["account-default-us-east-1", "alpha-dev", "beta-qa", "state"]);
  });

  test("a stack id two platforms build is refused before either builds, naming both platforms, files and the id", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }], { ids: () => ["alpha-shared"] });
    const beta = fakePlatform("beta", [{ environment: "qa" }], { ids: () => ["alpha-shared"] });
    expect(() => synthRegistry([alpha, { ...beta, unprefixedStackIds: true }], STORES)).toThrow(
      'stacks/beta: stacks() returns the stack id "alpha-shared" for environments/beta/qa.ts, and that id is also built by platform alpha from environments/alpha/dev.ts (environment "dev"). Derive every id from the environment (beta-<env>).',
    );
  });

  test("an environment whose name makes another platform's stack id is refused, naming both", () => {
    const alpha = fakePlatform("alpha", [{ environment: "beta-dev" }], { ids: (e) => [e.environment] });
    const beta = fakePlatform("beta", [{ environment: "dev" }]);
    expect(() => synthRegistry([beta, { ...alpha, unprefixedStackIds: true }], STORES)).toThrow(
      'environments/alpha/beta-dev.ts: `environment` must give stack ids that no other stack of the app has, got "beta-dev": platform alpha builds stack "beta-dev" from it, and that id is also built by platform beta from environments/beta/dev.ts (environment "dev"). Rename the environment (or the other one).',
    );
  });

  test("a meeting-notes environment named like another platform's stack collides with it", () => {
    const files = [
      ...SHIPPED_FILES,
      {
        input: { ...SHIPPED_FILES[0]!.input, environment: "alpha-dev", network: { cidr: "10.90.0.0/16" } },
        source: "environments/meeting-notes/alpha-dev.ts",
      },
    ];
    expect(() =>
      synthRegistry(
        [fakePlatform("alpha", [{ environment: "dev" }]), meetingNotesPlatform({ files })],
        STORES,
      ),
    ).toThrow(
      'environments/meeting-notes/alpha-dev.ts: `environment` must give stack ids that no other stack of the app has, got "alpha-dev": platform meeting-notes builds stack "alpha-dev" from it, and that id is also built by platform alpha from environments/alpha/dev.ts (environment "dev"). Rename the environment (or the other one).',
    );
  });

  test("a stack id without the platform's name in front is refused", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }], { ids: () => ["dev"] });
    expect(() => synthRegistry([alpha], STORES)).toThrow(
      'stacks/alpha: every stack id of platform alpha must start with "alpha-", got "dev" for environments/alpha/dev.ts. Name the stack alpha-dev (plus -<part> when an environment has several).',
    );
  });

  test.each([["state"], ["state-eu"], ["account-default-us-east-1"]])(
    "the reserved id %s is refused for a platform's stack",
    (id) => {
      const alpha = fakePlatform("alpha", [{ environment: "dev" }], { ids: () => [id] });
      expect(() => synthRegistry([{ ...alpha, unprefixedStackIds: true }], STORES)).toThrow(
        `environments/alpha/dev.ts: \`environment\` must not give a stack id that is \`state\` or starts with \`state-\` or \`account-\` (the state stores' and account baselines' stacks), got "dev": platform alpha would build stack "${id}". Rename the environment.`,
      );
    },
  );

  test("two environments of one platform with one name are refused", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }, { environment: "dev" }]);
    expect(() => synthRegistry([alpha], STORES)).toThrow(
      'environments/alpha/dev.ts: `environment` must be unique in platform alpha, got "dev": environments/alpha/dev.ts has that name too. Rename one of the environments.',
    );
  });

  test("a name prefix of another platform's environment is refused, naming both platforms", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev", projectName: "shop" }]);
    const beta = fakePlatform("beta", [{ environment: "dev-eu", projectName: "shop", stateStore: "eu" }]);
    const stores = {
      default: { ...STORE, accountId: "111111111111" },
      eu: { ...STORE, bucketName: "shop-eu-state", accountId: "222222222222" },
    };
    expect(() => synthRegistry([alpha, beta], stores)).toThrow(
      'environments/beta/dev-eu.ts: `environment` must not make a name prefix that begins another environment\'s, got "dev-eu": its resources are named shop-dev-eu-*, which environments/alpha/dev.ts (platform alpha, project "shop", environment "dev") (shop-dev-*) also covers. Rename one of the environments (or projects).',
    );
  });

  test("a platform registered twice is refused", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }]);
    expect(() => synthRegistry([alpha, alpha], STORES)).toThrow(
      'stacks/platforms.ts: platform names must be unique, got "alpha" twice. Register each platform once.',
    );
  });

  test.each([["Alpha"], ["alpha_beta"], ["-alpha"], ["a".repeat(21)]])(
    "the platform name %s is refused",
    (name) => {
      expect(() => fakePlatform(name, [])).toThrow(
        `stacks/platforms.ts: a platform's \`name\` must be 1-20 lowercase letters, digits and single hyphens, starting with a letter (it names folders and prefixes stack ids), got ${JSON.stringify(name)}. Rename the platform.`,
      );
    },
  );

  test("a platform that builds a stack it did not declare fails the synth", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }], {
      build: (app) => {
        new TerraformStack(app, "alpha-dev");
        new TerraformStack(app, "alpha-extra");
      },
    });
    expect(() => synthRegistry([alpha], STORES)).toThrow(
      `stacks/platforms.ts: built stack "alpha-extra" that no platform's stacks() declares. A platform's stacks() must list exactly what its build() adds.`,
    );
  });

  test("a platform that does not build a stack it declared fails the synth", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }], { build: () => {} });
    expect(() => synthRegistry([alpha], STORES)).toThrow(
      `stacks/platforms.ts: platform alpha declares stack "alpha-dev" but did not build it. A platform's stacks() must list exactly what its build() adds.`,
    );
  });

  test("a stack nested under a grouping construct fails the synth (the CLI cannot order it)", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev" }], {
      build: (app) => {
        new TerraformStack(app, "alpha-dev");
        new TerraformStack(new Construct(app, "group"), "alpha-nested");
      },
    });
    expect(() => synthRegistry([alpha], STORES)).toThrow(
      "stacks group/alpha-nested are not direct children of the App: the cdktf CLI cannot order nested stacks. Create each stack with the app as its scope.",
    );
  });
});

describe("PLATFORMS narrows a synth", () => {
  const alpha = fakePlatform("alpha", [{ environment: "dev" }]);
  const beta = fakePlatform("beta", [{ environment: "qa", stateStore: "beta" }]);
  const twoStores = {
    default: { ...STORE, accountId: "111111111111" },
    beta: { ...STORE, bucketName: "beta-terraform-state", accountId: "222222222222" },
  };

  test.each([[undefined], [""], [" , "]])("unset or empty (%j) selects every platform", (selection) => {
    expect(selectPlatforms([alpha, beta], selection).map((p) => p.name)).toEqual(["alpha", "beta"]);
  });

  test("a list selects those platforms, spaces allowed", () => {
    expect(selectPlatforms([alpha, beta], " beta ").map((p) => p.name)).toEqual(["beta"]);
  });

  test("an unknown name is refused with the known ones", () => {
    expect(() => selectPlatforms([alpha, beta], "alpha,gamma")).toThrow(
      'PLATFORMS: "gamma" is not a platform of this repository (alpha, beta), got PLATFORMS="alpha,gamma". Set PLATFORMS to a comma-separated list of those names, or unset it to synthesize every platform.',
    );
  });

  test("a narrowed synth builds the selected platforms and only the state stores they use", () => {
    expect(stackIds(synthRegistry([alpha, beta], twoStores, [beta]))).toEqual([
      "account-beta-us-east-1",
      "beta-qa",
      "state-beta",
    ]);
    expect(stackIds(synthRegistry([alpha, beta], twoStores))).toEqual([
      "account-beta-us-east-1",
      "account-default-us-east-1",
      "alpha-dev",
      "beta-qa",
      "state",
      "state-beta",
    ]);
  });

  test("a narrowed synth still checks every platform", () => {
    const clash = fakePlatform("gamma", [{ environment: "beta-qa" }], { ids: (e) => [e.environment] });
    expect(() => synthRegistry([beta, { ...clash, unprefixedStackIds: true }], twoStores, [beta])).toThrow(
      'platform gamma builds stack "beta-qa"',
    );
  });
});

describe("state stores: one per AWS account, named by each environment", () => {
  const twoStores = {
    default: { ...STORE, accountId: "111111111111" },
    eu: {
      ...STORE,
      region: "eu-west-1",
      bucketName: "platforms-eu-terraform-state",
      accountId: "222222222222",
    },
  };

  test("the store named default is the stack `state`; another is `state-<name>`, with its own key and local file", () => {
    const stacks = synthRegistry([fakePlatform("alpha", [{ environment: "dev", stateStore: "eu" }])], {
      ...twoStores,
      eu: { ...twoStores.eu, backend: "s3" },
    });
    expect(stackIds(stacks)).toEqual([
      "account-default-us-east-1",
      "account-eu-eu-west-1",
      "account-eu-us-east-1",
      "alpha-dev",
      "state",
      "state-eu",
    ]);
    expect(stacks.state!.terraform?.backend).toEqual({ local: { path: "../../../terraform.state.tfstate" } });
    expect(stacks["state-eu"]!.terraform?.backend?.s3).toMatchObject({
      bucket: "platforms-eu-terraform-state",
      key: "state-eu/terraform.tfstate",
      region: "eu-west-1",
    });
    expect(
      (stacks["state-eu"]!.provider as { aws: { allowed_account_ids?: string[] }[] }).aws[0]!
        .allowed_account_ids,
    ).toEqual(["222222222222"]);
    const local = synthRegistry(
      [fakePlatform("alpha", [{ environment: "dev", stateStore: "eu" }])],
      twoStores,
    );
    expect(local["state-eu"]!.terraform?.backend).toEqual({
      local: { path: "../../../terraform.state-eu.tfstate" },
    });
  });

  test("a meeting-notes environment keeps its state, and gives its CI roles, the store it names", () => {
    const files = SHIPPED_FILES.map((f) => ({ ...f, input: { ...f.input, stateStore: "eu" } }));
    const stacks = synthRegistry([meetingNotesPlatform({ files })], twoStores);
    const staging = stacks[SHIPPED_FILES[0]!.input.environment as string]!;
    expect(staging.terraform?.backend?.s3).toMatchObject({ bucket: "platforms-eu-terraform-state" });
    expect(JSON.stringify(staging.data)).toContain("platforms-eu-terraform-state");
    expect(JSON.stringify(staging)).not.toContain(`"${STORE.bucketName}"`);
  });

  test("an environment naming a store that does not exist is refused with the store names", () => {
    expect(() =>
      synthRegistry([fakePlatform("alpha", [{ environment: "dev", stateStore: "us" }])], twoStores),
    ).toThrow(
      'environments/alpha/dev.ts: `stateStore` must name a store of environments/state.ts (default, eu), got "us". Use one of those, or add the store to environments/state.ts.',
    );
  });

  test("an environment in another account than its store is refused", () => {
    const alpha = fakePlatform("alpha", [
      { environment: "dev", stateStore: "eu", accountId: "333333333333" },
    ]);
    expect(() => synthRegistry([alpha], twoStores)).toThrow(
      'environments/alpha/dev.ts: `accountId` must be the account of its state store eu (environments/state.ts: accountId "222222222222"), got "333333333333". Keep state in the account it describes: name the store of account 333333333333 in stateStore (add one if there is none).',
    );
  });

  test("the matrix gives each stack its store, and an environment without an account id its store's account", () => {
    const { entries } = planApp(
      [fakePlatform("alpha", [{ environment: "dev", stateStore: "eu" }])],
      parseStateStores(twoStores),
    );
    // Each store's account baseline: its home region, and the regions its environments use.
    expect(entries.filter((e) => e.region !== undefined).map((e) => [e.stack, e.store, e.account])).toEqual([
      ["account-default-us-east-1", "default", "111111111111"],
      ["account-eu-eu-west-1", "eu", "222222222222"],
      ["account-eu-us-east-1", "eu", "222222222222"],
    ]);
    expect(entries.filter((e) => e.region === undefined)).toEqual([
      expect.objectContaining({ stack: "state", platform: null, store: "default", account: "111111111111" }),
      expect.objectContaining({ stack: "state-eu", platform: null, store: "eu", account: "222222222222" }),
      expect.objectContaining({
        stack: "alpha-dev",
        platform: "alpha",
        environment: "dev",
        store: "eu",
        workspace: "alpha-dev",
        account: "222222222222",
        source: "environments/alpha/dev.ts",
      }),
    ]);
  });

  test.each<[string, unknown, string]>([
    [
      "no store at all",
      {},
      "environments/state.ts: `stores` must define at least one store, got {}. Add a store named default (README: Remote state).",
    ],
    [
      "a store name that cannot be a stack id",
      { Default: STORE },
      'environments/state.ts: `stores.Default` must be named with 1-20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (its stack is state-<name>), got "Default". Rename the store, and every environment\'s stateStore that names it.',
    ],
    [
      "a store name ending with a hyphen",
      { "eu-": STORE },
      'environments/state.ts: `stores.eu-` must be named with 1-20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (its stack is state-<name>), got "eu-". Rename the store, and every environment\'s stateStore that names it.',
    ],
    [
      "two stores without their account",
      { default: STORE, eu: { ...STORE, bucketName: "other-state" } },
      "environments/state.ts: `stores.eu.accountId` is required when another store (default) leaves its account out too (one store per AWS account: at most one store may leave it out), got nothing. Set the 12-digit account id of the account the store's bucket lives in.",
    ],
    [
      "two stores in one account",
      {
        default: { ...STORE, accountId: "111111111111" },
        eu: { ...STORE, bucketName: "other-state", accountId: "111111111111" },
      },
      'environments/state.ts: `stores.eu.accountId` must differ from store default\'s (one store per AWS account, one bucket per store), got "111111111111". Keep one of the stores and point the other\'s environments at it (stateStore: "default").',
    ],
    [
      "two stores with one bucket",
      { default: { ...STORE, accountId: "111111111111" }, eu: { ...STORE, accountId: "222222222222" } },
      'environments/state.ts: `stores.eu.bucketName` must differ from store default\'s (one store per AWS account, one bucket per store), got "platforms-terraform-state". Keep one of the stores and point the other\'s environments at it (stateStore: "default").',
    ],
    [
      "a store's account id of the wrong length",
      { default: { ...STORE, accountId: "1234" } },
      'environments/state.ts: `stores.default.accountId` must be a 12-digit AWS account id, got "1234". See README.md (Remote state) for the accepted values.',
    ],
  ])("refuses %s", (_what, stores, message) => {
    expect(() => synthRegistry([fakePlatform("alpha", [{ environment: "dev" }])], stores)).toThrow(message);
  });

  test("the shipped stores pass", () => {
    expect(Object.keys(synthRegistry([], shippedStores))).toContain("state");
  });
});

describe("environments of one account are fenced from each other", () => {
  test("two environments in one state store may not share a workspace", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev", workspace: "dev" }]);
    const beta = fakePlatform("beta", [{ environment: "qa", workspace: "dev" }]);
    expect(() => synthRegistry([alpha, beta], STORES)).toThrow(
      'environments/beta/qa.ts: `workspace` must differ from that of every other environment in its state store (the state bucket\'s policy and the permissions boundary fence each environment by its workspace), got "dev": environments/alpha/dev.ts (platform alpha) runs in that workspace of state store default too. Set another workspace (for example "beta-qa"), or keep one of them in another account\'s store.',
    );
  });

  test("two environments in one state store may not share a name (their Environment tag)", () => {
    const alpha = fakePlatform("alpha", [{ environment: "prod" }]);
    const beta = fakePlatform("beta", [{ environment: "prod" }]);
    expect(() => synthRegistry([alpha, beta], STORES)).toThrow(
      'environments/beta/prod.ts: `environment` must differ from that of every other environment in its AWS account (the permissions boundary fences environments by their Environment tag), got "prod": environments/alpha/prod.ts (platform alpha) is named so in state store default too. Keep one of them in another account (its own state store), or rename it.',
    );
  });

  test("the same names in two accounts are fine", () => {
    const stores = {
      default: { ...STORE, accountId: "111111111111" },
      other: { ...STORE, bucketName: "other-state", accountId: "222222222222" },
    };
    const alpha = fakePlatform("alpha", [{ environment: "prod", workspace: "prod" }]);
    const beta = fakePlatform("beta", [{ environment: "prod", workspace: "prod", stateStore: "other" }]);
    expect(stackIds(synthRegistry([alpha, beta], stores))).toEqual([
      "account-default-us-east-1",
      "account-other-us-east-1",
      "alpha-prod",
      "beta-prod",
      "state",
      "state-other",
    ]);
  });

  test("two environments of one repository may not share a GitHub environment (the deploy roles would trust both)", () => {
    const alpha = fakePlatform("alpha", [{ environment: "dev", githubEnvironment: "staging" }]);
    const beta = fakePlatform("beta", [{ environment: "qa", githubEnvironment: "staging" }]);
    expect(() => synthRegistry([alpha, beta], STORES)).toThrow(
      'environments/beta/qa.ts: `ci.githubEnvironment` must differ from that of every other environment of the repository (a deploy role trusts the repository and GitHub environment, so the two would trust each other\'s deploys), got "staging": environments/alpha/dev.ts (platform alpha) uses it too. Create a GitHub environment for each (for example "beta-qa").',
    );
  });
});

describe("platform definitions", () => {
  test("a stack planned by pull requests must name its plan role's variable", () => {
    const alpha = definePlatform({
      ...fakePlatform("alpha", [{ environment: "dev" }]),
      stacks: (env) => [{ id: `alpha-${env.environment}`, plan: true }],
    });
    expect(() => synthRegistry([alpha], STORES)).toThrow(
      'stacks/alpha: stack "alpha-dev" (environments/alpha/dev.ts) is planned by pull requests (plan: true) but names no planRoleVariable, so plan.yml would have no role to assume. Return planRoleVariable: githubVariable("AWS_PLAN_ROLE_ARN", "alpha", env.environment), or plan: false.',
    );
  });

  test.each([["state"], ["state-eu"], ["account"]])("the platform name %s is refused", (name) => {
    expect(() => synthRegistry([fakePlatform(name, [])], STORES)).toThrow(
      `stacks/platforms.ts: a platform's \`name\` must not be "state" or "account" or start with "state-" or "account-" (the state stores' and account baselines' stack ids), got ${JSON.stringify(name)}. Rename the platform.`,
    );
  });

  test("a platform name that begins with another's and a hyphen is refused", () => {
    expect(() => synthRegistry([fakePlatform("foo", []), fakePlatform("foo-bar", [])], STORES)).toThrow(
      'stacks/platforms.ts: a platform\'s `name` must not begin with another platform\'s name and a hyphen, got "foo-bar" beside "foo": their stack ids (<platform>-<env>) and deploy targets would be ambiguous. Rename one of the platforms.',
    );
  });

  test("githubVariable builds GitHub variable names from any parts", () => {
    expect(githubVariable("AWS_PLAN_ROLE_ARN", "meeting-notes", "prod-eu")).toBe(
      "AWS_PLAN_ROLE_ARN_MEETING_NOTES_PROD_EU",
    );
  });
});

test("an environment named account is refused (the baseline's names are <project>-account-*)", () => {
  const alpha = fakePlatform("alpha", [{ environment: "account" }]);
  expect(() => synthRegistry([alpha], STORES)).toThrow(
    'environments/alpha/account.ts: `environment` must not be "account" (the account baseline\'s names are <project>-account-*), got "account". Rename the environment.',
  );
});
