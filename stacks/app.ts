import type { App } from "cdktf";
import { ConfigurationError } from "../constructs/core/validation";
import type { PlatformEnvironment } from "../environments/fields";

/** Every warning a construct of the app recorded (`Annotations.of(scope).addWarning`), as `path: message`. */
export function synthWarnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === "@cdktf/warn")
        .map((entry) => `${construct.node.path}: ${String(entry.data)}`),
    );
}

/**
 * Runs `build`, turning a construct's configuration error into one that names the environment file
 * and the setting: `settingOfProp` maps the construct prop an error names (`memoryMiB`) to the
 * setting that feeds it (`service.memoryMiB`).
 */
export function inEnvironmentFile(
  env: PlatformEnvironment,
  settingOfProp: Readonly<Record<string, string>>,
  build: () => void,
): void {
  try {
    build();
  } catch (error) {
    if (!(error instanceof ConfigurationError) || error.message.startsWith(`${env.source}:`)) throw error;
    const setting = error.field ? settingFor(settingOfProp, error.field) : undefined;
    let message = `${error.message} (raised while building the stacks of this environment)`;
    if (setting && error.field) {
      // The prop's name, and every other prop the rule mentions, in the file's words.
      message = error.message.replace(/`([A-Za-z0-9_.[\]-]+)`/g, (whole, prop: string) => {
        const named = settingFor(settingOfProp, prop);
        return named ? `\`${named}\`` : whole;
      });
    }
    // An entry of a list (`capacity[FARGATE].weight`) is in the file when its list is.
    if (setting && !setting.includes("[") && valueAt(env, setting) === undefined) {
      // The construct checked its own default: say so, or the user hunts for a value they never wrote.
      message += ` (The file does not set \`${setting}\`: the value is its default.)`;
    }
    throw new ConfigurationError(`${env.source}: ${message}`, setting ?? error.field);
  }
}

/** The setting a prop comes from: its own entry, or its list's or object's entry with the rest of its path. */
function settingFor(settingOfProp: Readonly<Record<string, string>>, prop: string): string | undefined {
  if (settingOfProp[prop]) return settingOfProp[prop];
  const parent = Object.keys(settingOfProp)
    .filter((key) => prop.startsWith(`${key}[`) || prop.startsWith(`${key}.`))
    .sort((a, b) => b.length - a.length)[0];
  return parent === undefined ? undefined : `${settingOfProp[parent]}${prop.slice(parent.length)}`;
}

function valueAt(settings: object, path: string): unknown {
  let node: unknown = settings;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Builds one construct whose props are the settings under `prefix` (`services.api`, `database`): an
 * error about one of `props` names `<prefix>.<prop>`, or the setting `renamed` gives for it (a prop
 * whose setting has another name). Constructs share prop names (cpu, multiAz, engineVersion), so each is
 * mapped on its own; `deletionProtection` is always the file's own.
 */
export function withinSettings<T>(
  env: PlatformEnvironment,
  prefix: string,
  props: readonly string[],
  build: () => T,
  renamed: Readonly<Record<string, string>> = {},
): T {
  let built: T | undefined;
  const settings = Object.fromEntries(props.map((prop) => [prop, `${prefix}.${renamed[prop] ?? prop}`]));
  inEnvironmentFile(env, { ...settings, deletionProtection: "deletionProtection" }, () => {
    built = build();
  });
  return built as T;
}
