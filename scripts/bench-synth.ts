/**
 * Synthesizes every stack several times, as `npm run synth` does, and prints the median wall time
 * and the peak resident memory of the synth process.
 *
 *   npm run bench [-- <runs>]   (default 5 runs)
 */
import { spawnSync } from "node:child_process";

const runs = Number(process.argv[2] ?? 5);
const times: number[] = [];
const peaks: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = process.hrtime.bigint();
  // GNU time reports the peak RSS of the synth process in KiB (%M).
  const result = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "--import", "tsx", "main.ts"], {
    encoding: "utf8",
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
console.log(
  `synth: ${runs} runs, median ${median(times).toFixed(2)} s, peak ${Math.max(...peaks).toFixed(0)} MiB`,
);
