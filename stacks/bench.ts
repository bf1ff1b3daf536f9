import type { PlatformEnvironment } from "../environments/fields";
import type { PlatformDefinition } from "./registry";

/**
 * The platforms with `count` generated environments added to the first platform (copies of its first
 * environment named `bench1`, `bench2`, ...), so `npm run bench -- --stacks <n>` measures the synth
 * budget with as many stacks as every platform together will have. `count` 0 returns them unchanged.
 */
export function benchmarkPlatforms(
  platforms: readonly PlatformDefinition[],
  count: number,
): readonly PlatformDefinition[] {
  if (!(count > 0) || platforms.length === 0) return platforms;
  const [first, ...rest] = platforms as [PlatformDefinition, ...PlatformDefinition[]];
  const generated: PlatformDefinition = {
    ...first,
    environments: () => {
      const loaded = first.environments();
      const template = loaded[0]!;
      return [
        ...loaded,
        ...Array.from(
          { length: count },
          (_, i): PlatformEnvironment => ({
            ...template,
            environment: `bench${i + 1}`,
            workspace: `bench${i + 1}`,
            // Each environment has its own GitHub environment (the registry refuses a shared one).
            ci: { ...template.ci, githubEnvironment: `bench${i + 1}` },
            source: `(generated benchmark environment ${i + 1})`,
          }),
        ),
      ];
    },
    stacks: (env) => first.stacks(env),
    build: (app, context) => first.build(app, context),
  };
  return [generated, ...rest];
}
