/**
 * Synthesizes every stack several times, as `npm run synth` does, and prints the median wall time
 * and the peak resident memory of the synth process, with the number of stacks per platform.
 *
 *   npm run bench [-- <runs>] [--stacks <count>]
 *
 * `--stacks 25` adds generated environments (copies of staging, two stacks each) until the app has at
 * least that many stacks, to measure the budget before the other platforms exist.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const stacksFlag = args.indexOf("--stacks");
const wantedStacks = stacksFlag >= 0 ? Number(args[stacksFlag + 1]) : 0;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--stacks") ?? 5);
// The shipped app has the state stack and two stacks per environment.
const shipped = 5;
const extraEnvironments = Math.max(0, Math.ceil((wantedStacks - shipped) / 2));
const times: number[] = [];
const peaks: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = process.hrtime.bigint();
  // GNU time reports the peak RSS of the synth process in KiB (%M).
  const result = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "--import", "tsx", "main.ts"], {
    encoding: "utf8",
    env: { ...process.env, BENCH_ENVIRONMENTS: String(extraEnvironments) },
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    console.error(result.stderr);
    process.exit(1);
  }
  const lines = result.stderr.trim().split("\n");
  peaks.push(Number(lines[lines.length - 1]) / 1024);
  times.push(elapsed);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stacks = readdirSync("cdktf.out/stacks", { withFileTypes: true }).filter(
  (e) => e.isDirectory() && existsSync(join("cdktf.out/stacks", e.name, "cdk.tf.json")),
).length;
console.log(
  `platforms: meeting-notes ${stacks} stacks${extraEnvironments > 0 ? ` (${extraEnvironments * 2} generated)` : ""}`,
);
console.log(
  `synth: ${runs} runs, ${stacks} stacks, median ${median(times).toFixed(2)} s, peak ${Math.max(...peaks).toFixed(0)} MiB`,
);
if (extraEnvironments > 0) {
  // Leave the output as the real app builds it.
  spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { stdio: "ignore" });
}
