/**
 * The Terraform arguments that also apply to a stack that declares `declared` variables: every
 * argument, except `-var name=value` / `-var=name=value` for variables it does not declare (Terraform
 * refuses those). `npm run bootstrap` passes the user's arguments on to the Grafana stack this way,
 * which has no `image_tag`.
 */
export function argumentsFor(declared: readonly string[], args: readonly string[]): string[] {
  const names = new Set(declared);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value =
      arg === "-var" ? args[i + 1] : arg.startsWith("-var=") ? arg.slice("-var=".length) : undefined;
    if (value === undefined) {
      out.push(arg);
      continue;
    }
    if (arg === "-var") i += 1;
    if (names.has(value.split("=")[0]!)) out.push("-var", value);
  }
  return out;
}
