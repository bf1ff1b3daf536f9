/**
 * Synthesizes the app several times as `npm run synth` does (the esbuild fast path, scripts/app.cjs)
 * and prints, per platform (`PLATFORMS=<name>`) and for the whole app, the stacks, the median wall time
 * and the peak resident memory of the synth process.
 *
 *   npm run bench [-- <runs>] [--stacks <count>]
 *
 * `--stacks 25` adds generated environments (copies of the first platform's first environment) until
 * the app has at least that many stacks, to measure the budget before every platform exists.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStateStores } from "../environments";
import { benchmarkPlatforms } from "../stacks/bench";
import { PLATFORMS } from "../stacks/platforms";
import { planApp } from "../stacks/registry";

const args = process.argv.slice(2);
const stacksFlag = args.indexOf("--stacks");
const wantedStacks = stacksFlag >= 0 ? Number(args[stacksFlag + 1]) : 0;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--stacks") ?? 5);

const stores = loadStateStores();
const shipped = planApp(PLATFORMS, stores).entries.length;
const first = PLATFORMS[0]!;
const perEnvironment = first.stacks(first.environments()[0]!).length;
const extraEnvironments = Math.max(0, Math.ceil((wantedStacks - shipped) / perEnvironment));
const entries = planApp(benchmarkPlatforms(PLATFORMS, extraEnvironments), stores).entries;

interface Figures {
  readonly stacks: number;
  readonly medianSeconds: number;
  readonly peakMiB: number;
}

/** Runs the synth `runs` times with these variables; the stack count is read from the manifest. */
function measure(env: Record<string, string>): Figures {
  const times: number[] = [];
  const peaks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    // GNU time reports the peak RSS of the synth process in KiB (%M).
    const result = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "scripts/app.cjs"], {
      encoding: "utf8",
      env: { ...process.env, BENCH_ENVIRONMENTS: String(extraEnvironments), ...env },
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (result.status !== 0) {
      console.error(result.stderr);
      process.exit(1);
    }
    const lines = result.stderr.trim().split("\n");
    peaks.push(Number(lines[lines.length - 1]) / 1024);
  }
  const manifest = JSON.parse(readFileSync(join("cdktf.out", "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  const sorted = [...times].sort((a, b) => a - b);
  return {
    stacks: Object.keys(manifest.stacks).length,
    medianSeconds: sorted[Math.floor(sorted.length / 2)]!,
    peakMiB: Math.max(...peaks),
  };
}

const line = (label: string, f: Figures) =>
  `${label}: ${f.stacks} stacks, median ${f.medianSeconds.toFixed(2)} s, peak ${f.peakMiB.toFixed(0)} MiB`;

// One run first, so every measured run finds the app bundle and the function zips built.
spawnSync(process.execPath, ["scripts/app.cjs"], { stdio: "ignore" });
console.log(`synth, ${runs} runs each (state stores' stacks are counted with every platform that uses them)`);
for (const platform of PLATFORMS) {
  const generated =
    platform === first && extraEnvironments > 0 ? ` (${extraEnvironments * perEnvironment} generated)` : "";
  console.log(line(`  ${platform.name}${generated}`, measure({ PLATFORMS: platform.name })));
}
const total = measure({ PLATFORMS: "" });
console.log(line("  all platforms", total));
if (total.stacks !== entries.length) {
  console.error(`expected ${entries.length} stacks, the manifest lists ${total.stacks}`);
  process.exit(1);
}
if (extraEnvironments > 0) {
  // Leave the output as the real app builds it.
  spawnSync(process.execPath, ["scripts/app.cjs"], { stdio: "ignore" });
}
