import { type App, TerraformStack } from "cdktf";
import { ConfigurationError } from "../constructs/core/validation";
import type { PlatformEnvironment } from "../environments/fields";
import type { StateConfig } from "../environments/state-schema";
import { AccountStack, accountStackId } from "./account-stack";
import { StateStack } from "./state-stack";

/** One stack a platform builds for an environment, known before anything is built. */
export interface PlatformStack {
  /** The stack's id: `cdktf deploy <id>`, `cdktf.out/stacks/<id>`, the state key `<id>/terraform.tfstate`. */
  readonly id: string;
  /**
   * Whether a pull request plans it (plan.yml). False for stacks a plan role cannot plan (the Grafana
   * stacks read the Grafana token even to plan).
   */
  readonly plan: boolean;
  /** The GitHub variable holding the ARN of the role that plans it, when `plan` is true. */
  readonly planRoleVariable?: string;
}

/** What a platform's `build` receives. */
export interface PlatformBuildContext<E extends PlatformEnvironment> {
  /** The platform's checked environments, in file order. */
  readonly environments: readonly E[];
  /** The state store an environment keeps its state in (its `stateStore`). */
  storeOf(environment: E): StateConfig;
}

/**
 * A platform: its environment files and how its stacks are built. `main.ts` walks the registry
 * (`stacks/platforms.ts`); the registry checks every platform's stack ids against every other's
 * before any stack is built.
 */
export interface PlatformDefinition<E extends PlatformEnvironment = PlatformEnvironment> {
  /** Lowercase name (`freeside`): its folders `environments/<name>/`, `stacks/<name>/`, its stack id prefix. */
  readonly name: string;
  /**
   * Stack ids without the `<name>-` prefix. Only meeting-notes, whose ids (`staging`, `prod`) existed
   * before the registry and stay what users deploy.
   * @default false
   */
  readonly unprefixedStackIds?: boolean;
  /**
   * The GitHub environment variable holding the ARN of an environment's deploy role.
   * @default - `AWS_DEPLOY_ROLE_ARN_<PLATFORM>` (see {@link githubVariable})
   */
  deployRoleVariable?(environment: E): string;
  /** Reads and checks the platform's environment files; a bad file throws naming itself. */
  environments(): readonly E[];
  /** The stacks one environment gets, in deploy order. */
  stacks(environment: E): readonly PlatformStack[];
  /** Adds exactly the declared stacks, each a direct child of the app. */
  build(app: App, context: PlatformBuildContext<E>): void;
}

/** A GitHub variable name from its parts: `githubVariable("AWS_PLAN_ROLE_ARN", "freeside", "prod")` is `AWS_PLAN_ROLE_ARN_FREESIDE_PROD`. */
export function githubVariable(prefix: string, ...parts: readonly string[]): string {
  return [prefix, ...parts.map((p) => p.toUpperCase().replace(/[^A-Z0-9]/g, "_"))].join("_");
}

const PLATFORM_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Typed helper for a registry entry: `export const freeside = definePlatform({ name, environments, stacks, build })`. */
export function definePlatform<E extends PlatformEnvironment>(
  definition: PlatformDefinition<E>,
): PlatformDefinition<E> {
  if (!PLATFORM_NAME.test(definition.name) || definition.name.length > 20) {
    throw new ConfigurationError(
      `stacks/platforms.ts: a platform's \`name\` must be 1-20 lowercase letters, digits and single hyphens, starting with a letter (it names folders and prefixes stack ids), got ${JSON.stringify(definition.name)}. Rename the platform.`,
      "name",
    );
  }
  return definition;
}

/** One stack of the app with what CI needs to run it (scripts/stack-matrix.ts prints these). */
export interface StackEntry {
  /** The cdktf stack id and `cdktf.out/stacks/<stack>`. */
  readonly stack: string;
  /** The platform that builds it; null for a state store's stack (shared by every platform of its account). */
  readonly platform: string | null;
  /** The environment it belongs to (absent for a state store's stack). */
  readonly environment?: string;
  /** The settings file it is built from. */
  readonly source: string;
  /** The state store keeping its state. */
  readonly store: string;
  readonly workspace: string;
  /** The AWS account it runs in, when its settings name one. */
  readonly account: string | null;
  /** Whether a pull request plans it. */
  readonly plan: boolean;
  /** The GitHub variable holding the plan role's ARN. */
  readonly planRoleVariable?: string;
  /** The GitHub environment its deployment runs in (absent for a state store's stack). */
  readonly githubEnvironment?: string;
  /** The GitHub environment variable holding the deploy role's ARN. */
  readonly deployRoleVariable?: string;
  /** Whether a push to main deploys it (`ci.deployOnPush`). */
  readonly deployOnPush: boolean;
  /** The region of an account baseline's stack (absent for the others). */
  readonly region?: string;
}

/** Narrows platforms to a `PLATFORMS=a,b` list; unset or empty selects all. */
export function selectPlatforms(
  platforms: readonly PlatformDefinition[],
  selection: string | undefined,
): PlatformDefinition[] {
  const names = (selection ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (names.length === 0) return [...platforms];
  const known = platforms.map((p) => p.name);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new ConfigurationError(
        `PLATFORMS: ${JSON.stringify(name)} is not a platform of this repository (${known.join(", ")}), got PLATFORMS=${JSON.stringify(selection)}. Set PLATFORMS to a comma-separated list of those names, or unset it to synthesize every platform.`,
        "PLATFORMS",
      );
    }
  }
  return platforms.filter((p) => names.includes(p.name));
}

interface LoadedPlatform {
  readonly definition: PlatformDefinition;
  readonly environments: readonly PlatformEnvironment[];
}

interface StackOwner {
  readonly platform: string | null;
  readonly env?: PlatformEnvironment;
  readonly store?: StateConfig;
}

function describeOwner(owner: StackOwner): string {
  if (owner.store) return `the stack of state store ${owner.store.name} (${owner.store.source})`;
  return `built by platform ${owner.platform} from ${owner.env!.source} (environment ${JSON.stringify(owner.env!.environment)})`;
}

/**
 * Every stack of the app, checked across platforms before anything is built: platform names unique;
 * each environment's state store exists and is in its account; stack ids unique across the app (state
 * stores' ids included), prefixed with the platform's name, never `state` or `state-*`; environment
 * names unique in a platform; and no `<project>-<env>-` name prefix that begins another's.
 */
export function planApp(
  platforms: readonly PlatformDefinition[],
  stores: Readonly<Record<string, StateConfig>>,
): AppPlan {
  const seen = new Set<string>();
  for (const p of platforms) {
    if (seen.has(p.name)) {
      throw new ConfigurationError(
        `stacks/platforms.ts: platform names must be unique, got ${JSON.stringify(p.name)} twice. Register each platform once.`,
        "name",
      );
    }
    if (["state", "account"].some((r) => p.name === r || p.name.startsWith(`${r}-`))) {
      throw new ConfigurationError(
        `stacks/platforms.ts: a platform's \`name\` must not be "state" or "account" or start with "state-" or "account-" (the state stores' and account baselines' stack ids), got ${JSON.stringify(p.name)}. Rename the platform.`,
        "name",
      );
    }
    const extended = [...seen].find(
      (other) => p.name.startsWith(`${other}-`) || other.startsWith(`${p.name}-`),
    );
    if (extended) {
      throw new ConfigurationError(
        `stacks/platforms.ts: a platform's \`name\` must not begin with another platform's name and a hyphen, got ${JSON.stringify(p.name)} beside ${JSON.stringify(extended)}: their stack ids (<platform>-<env>) and deploy targets would be ambiguous. Rename one of the platforms.`,
        "name",
      );
    }
    seen.add(p.name);
  }
  const loaded: LoadedPlatform[] = platforms.map((definition) => ({
    definition,
    environments: definition.environments(),
  }));

  const entries: StackEntry[] = [];
  const owners = new Map<string, StackOwner>();
  for (const store of Object.values(stores)) {
    owners.set(store.stackId, { platform: null, store });
    entries.push({
      stack: store.stackId,
      platform: null,
      source: store.source,
      store: store.name,
      workspace: "default",
      account: store.accountId ?? null,
      plan: false,
      deployOnPush: false,
    });
  }

  for (const { definition, environments } of loaded) {
    const names = new Map<string, PlatformEnvironment>();
    for (const env of environments) {
      const twin = names.get(env.environment);
      if (twin) {
        throw new ConfigurationError(
          `${env.source}: \`environment\` must be unique in platform ${definition.name}, got ${JSON.stringify(env.environment)}: ${twin.source} has that name too. Rename one of the environments.`,
          "environment",
        );
      }
      names.set(env.environment, env);
      const store = checkStore(env, stores);
      for (const stack of definition.stacks(env)) {
        checkStackId(definition, env, stack.id);
        if (stack.plan && !stack.planRoleVariable) {
          throw new ConfigurationError(
            `stacks/${definition.name}: stack ${JSON.stringify(stack.id)} (${env.source}) is planned by pull requests (plan: true) but names no planRoleVariable, so plan.yml would have no role to assume. Return planRoleVariable: githubVariable("AWS_PLAN_ROLE_ARN", "${definition.name}", env.environment), or plan: false.`,
            "stacks",
          );
        }
        const other = owners.get(stack.id);
        if (other && !stack.id.includes(env.environment)) {
          throw new ConfigurationError(
            `stacks/${definition.name}: stacks() returns the stack id ${JSON.stringify(stack.id)} for ${env.source}, and that id is also ${describeOwner(other)}. Derive every id from the environment (${definition.name}-<env>).`,
            "stacks",
          );
        }
        if (other) {
          // Blame the environment whose own name is the clashing id (staging named "prod-grafana").
          const theirs = other.env?.environment === stack.id && env.environment !== stack.id;
          const [culprit, owner] = theirs
            ? [
                { env: other.env!, platform: other.platform! },
                { platform: definition.name, env },
              ]
            : [{ env, platform: definition.name }, other];
          throw new ConfigurationError(
            `${culprit.env.source}: \`environment\` must give stack ids that no other stack of the app has, got ${JSON.stringify(culprit.env.environment)}: platform ${culprit.platform} builds stack ${JSON.stringify(stack.id)} from it, and that id is also ${describeOwner(owner)}. Rename the environment${owner.store ? "" : " (or the other one)"}.`,
            "environment",
          );
        }
        owners.set(stack.id, { platform: definition.name, env });
        entries.push({
          stack: stack.id,
          platform: definition.name,
          environment: env.environment,
          source: env.source,
          store: store.name,
          workspace: env.workspace,
          account: env.accountId ?? store.accountId ?? null,
          plan: stack.plan,
          ...(stack.planRoleVariable ? { planRoleVariable: stack.planRoleVariable } : {}),
          githubEnvironment: env.ci.githubEnvironment,
          deployRoleVariable:
            definition.deployRoleVariable?.(env) ?? githubVariable("AWS_DEPLOY_ROLE_ARN", definition.name),
          deployOnPush: env.ci.deployOnPush,
        });
      }
    }
  }
  checkNamePrefixes(loaded);
  checkFences(loaded);
  // Each store's account baseline: its home region, and every region its environments use.
  for (const store of Object.values(stores)) {
    const regions = new Set([store.region]);
    for (const { environments } of loaded) {
      for (const env of environments) if (env.stateStore === store.name) regions.add(env.region);
    }
    for (const region of [...regions].sort((a, b) =>
      a === store.region ? -1 : b === store.region ? 1 : a.localeCompare(b),
    )) {
      const id = accountStackId(store.name, region);
      entries.push({
        stack: id,
        platform: null,
        source: store.source,
        store: store.name,
        workspace: "default",
        account: store.accountId ?? null,
        plan: false,
        deployOnPush: false,
        region,
      });
    }
  }
  return {
    entries,
    environments: new Map(loaded.map((l) => [l.definition.name, l.environments])),
  };
}

/** The checked plan of an app: every stack, and each platform's checked environments. */
export interface AppPlan {
  readonly entries: readonly StackEntry[];
  readonly environments: ReadonlyMap<string, readonly PlatformEnvironment[]>;
}

function checkStore(env: PlatformEnvironment, stores: Readonly<Record<string, StateConfig>>): StateConfig {
  const store = stores[env.stateStore];
  const names = Object.keys(stores);
  if (!store) {
    throw new ConfigurationError(
      `${env.source}: \`stateStore\` must name a store of environments/state.ts (${names.join(", ")}), got ${JSON.stringify(env.stateStore)}. Use one of those, or add the store to environments/state.ts.`,
      "stateStore",
    );
  }
  if (env.accountId && store.accountId && env.accountId !== store.accountId) {
    throw new ConfigurationError(
      `${env.source}: \`accountId\` must be the account of its state store ${store.name} (${store.source}: accountId ${JSON.stringify(store.accountId)}), got ${JSON.stringify(env.accountId)}. Keep state in the account it describes: name the store of account ${env.accountId} in stateStore (add one if there is none).`,
      "accountId",
    );
  }
  return store;
}

function checkStackId(definition: PlatformDefinition, env: PlatformEnvironment, id: string): void {
  if (env.environment === "account") {
    throw new ConfigurationError(
      `${env.source}: \`environment\` must not be "account" (the account baseline's names are <project>-account-*), got "account". Rename the environment.`,
      "environment",
    );
  }
  if (id === "state" || id.startsWith("state-") || id.startsWith("account-")) {
    throw new ConfigurationError(
      `${env.source}: \`environment\` must not give a stack id that is \`state\` or starts with \`state-\` or \`account-\` (the state stores' and account baselines' stacks), got ${JSON.stringify(env.environment)}: platform ${definition.name} would build stack ${JSON.stringify(id)}. Rename the environment.`,
      "environment",
    );
  }
  if (!definition.unprefixedStackIds && !id.startsWith(`${definition.name}-`)) {
    throw new ConfigurationError(
      `stacks/${definition.name}: every stack id of platform ${definition.name} must start with "${definition.name}-", got ${JSON.stringify(id)} for ${env.source}. Name the stack ${definition.name}-${env.environment} (plus -<part> when an environment has several).`,
      "stacks",
    );
  }
}

/** No environment's `<project>-<env>-` prefix may begin another's: names, IAM scopes and alarms would overlap. */
function checkNamePrefixes(loaded: readonly LoadedPlatform[]): void {
  const all = loaded.flatMap(({ definition, environments }) =>
    environments.map((env) => ({
      env,
      platform: definition.name,
      prefix: `${env.projectName}-${env.environment}-`,
    })),
  );
  for (const a of all) {
    for (const b of all) {
      if (a === b) continue;
      const where = (x: typeof a) =>
        `${x.env.source} (platform ${x.platform}, project ${JSON.stringify(x.env.projectName)}, environment ${JSON.stringify(x.env.environment)})`;
      if (a.prefix === b.prefix) {
        throw new ConfigurationError(
          `${b.env.source}: \`environment\` must not give the same name prefix as another environment, got project ${JSON.stringify(b.env.projectName)} and environment ${JSON.stringify(b.env.environment)}: its resources are named ${b.prefix}*, exactly as those of ${where(a)}. Rename one of the environments (or projects).`,
          "environment",
        );
      }
      if (b.prefix.startsWith(a.prefix)) {
        throw new ConfigurationError(
          `${b.env.source}: \`environment\` must not make a name prefix that begins another environment's, got ${JSON.stringify(b.env.environment)}: its resources are named ${b.prefix}*, which ${where(a)} (${a.prefix}*) also covers. Rename one of the environments (or projects).`,
          "environment",
        );
      }
    }
  }
}

/**
 * Environments in one AWS account (one state store) are kept apart by their `Environment` tag and their
 * workspace (the permissions boundary and the state bucket's policy fence on them), and their deploy roles
 * by the GitHub repository and environment they trust: none of these may be shared.
 */
function checkFences(loaded: readonly LoadedPlatform[]): void {
  const all = loaded.flatMap(({ definition, environments }) =>
    environments.map((env) => ({ env, platform: definition.name })),
  );
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      const other = `${a.env.source} (platform ${a.platform})`;
      if (a.env.stateStore === b.env.stateStore && a.env.workspace === b.env.workspace) {
        throw new ConfigurationError(
          `${b.env.source}: \`workspace\` must differ from that of every other environment in its state store (the state bucket's policy and the permissions boundary fence each environment by its workspace), got ${JSON.stringify(b.env.workspace)}: ${other} runs in that workspace of state store ${b.env.stateStore} too. Set another workspace (for example "${b.platform}-${b.env.environment}"), or keep one of them in another account's store.`,
          "workspace",
        );
      }
      if (a.env.stateStore === b.env.stateStore && a.env.environment === b.env.environment) {
        throw new ConfigurationError(
          `${b.env.source}: \`environment\` must differ from that of every other environment in its AWS account (the permissions boundary fences environments by their Environment tag), got ${JSON.stringify(b.env.environment)}: ${other} is named so in state store ${b.env.stateStore} too. Keep one of them in another account (its own state store), or rename it.`,
          "environment",
        );
      }
      if (
        a.env.ci.githubRepository === b.env.ci.githubRepository &&
        a.env.ci.githubEnvironment === b.env.ci.githubEnvironment
      ) {
        throw new ConfigurationError(
          `${b.env.source}: \`ci.githubEnvironment\` must differ from that of every other environment of the repository (a deploy role trusts the repository and GitHub environment, so the two would trust each other's deploys), got ${JSON.stringify(b.env.ci.githubEnvironment)}: ${other} uses it too. Create a GitHub environment for each (for example "${b.platform}-${b.env.environment}").`,
          "ci.githubEnvironment",
        );
      }
    }
  }
}

/** What {@link buildApp} builds from. */
export interface AppProps {
  /** Every registered platform (stacks/platforms.ts): all are checked, even when a synth is narrowed. */
  readonly platforms: readonly PlatformDefinition[];
  /** The platforms to build (`PLATFORMS`). @default - all */
  readonly selected?: readonly PlatformDefinition[];
  /** The checked state stores (environments/state.ts). */
  readonly stores: Readonly<Record<string, StateConfig>>;
}

/**
 * Checks every platform ({@link planApp}), then adds to the app the state stores' stacks (all of them;
 * in a narrowed synth only those the selected platforms use) and each selected platform's stacks, and
 * verifies each platform built exactly the stacks it declared. Returns the stacks built.
 */
export function buildApp(app: App, props: AppProps): StackEntry[] {
  const plan = planApp(props.platforms, props.stores);
  const entries = plan.entries;
  const selected = props.selected ?? props.platforms;
  const narrowed = selected.length < props.platforms.length;
  const names = new Set(selected.map((p) => p.name));
  const usedStores = new Set(entries.filter((e) => e.platform && names.has(e.platform)).map((e) => e.store));
  const built = entries.filter((e) =>
    e.platform === null ? !narrowed || usedStores.has(e.store) : names.has(e.platform),
  );

  for (const store of Object.values(props.stores)) {
    if (narrowed && !usedStores.has(store.name)) continue;
    new StateStack(app, store.stackId, { state: store, backend: store.backend });
    for (const e of entries.filter((x) => x.region !== undefined && x.store === store.name)) {
      new AccountStack(app, e.stack, { store, region: e.region! });
    }
  }
  for (const definition of selected) {
    const environments = plan.environments.get(definition.name)!;
    definition.build(app, {
      environments,
      storeOf: (env) => props.stores[env.stateStore]!,
    });
  }
  checkBuilt(app, built);
  return built;
}

function checkBuilt(app: App, expected: readonly StackEntry[]): void {
  const nested = app.node
    .findAll()
    .filter((c) => TerraformStack.isStack(c) && c.node.scope !== app)
    .map((c) => c.node.path);
  if (nested.length > 0) {
    throw new Error(
      `stacks ${nested.join(", ")} are not direct children of the App: the cdktf CLI cannot order nested stacks. Create each stack with the app as its scope.`,
    );
  }
  const actual = app.node.children.filter((c) => TerraformStack.isStack(c)).map((c) => c.node.id);
  const declared = expected.map((e) => e.stack);
  const extra = actual.filter((id) => !declared.includes(id));
  const missing = expected.filter((e) => !actual.includes(e.stack));
  if (extra.length > 0 || missing.length > 0) {
    const parts = [
      ...extra.map((id) => `built stack ${JSON.stringify(id)} that no platform's stacks() declares`),
      ...missing.map(
        (e) => `platform ${e.platform} declares stack ${JSON.stringify(e.stack)} but did not build it`,
      ),
    ];
    throw new Error(
      `stacks/platforms.ts: ${parts.join("; ")}. A platform's stacks() must list exactly what its build() adds.`,
    );
  }
}
