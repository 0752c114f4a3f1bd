#!/usr/bin/env node
// Runs every benchmark in bench/ one after another and prints their figures. Benchmarks never fail
// the run: the machines are shared and noisy, so figures are for reading, not for asserting.
import {readdirSync} from "node:fs";
import {spawnSync} from "node:child_process";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here).filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && (!only.length || only.some((o) => f.includes(o)))).sort();
console.log(`Lectern benchmarks on ${process.platform}/${process.arch}, Node ${process.version}; load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (const script of scripts) {
  console.log(`\n## ${script}`);
  const r = spawnSync(process.execPath, [join(here, script)], {stdio: "inherit", cwd: join(here, "..")});
  if (r.status !== 0) console.log(`(${script} stopped with status ${r.status}; figures above are partial)`);
}
