#!/usr/bin/env node
// Runs every benchmark in bench/ one after another and prints their figures. Benchmarks never fail
// the run: the machines are shared and noisy, so figures are for reading, not for asserting.
//   npm run bench [-- NAME…] [--json] [--repeats N]
// NAMEs pick scripts by part of their file name; flags go to every script. With --json, each
// script's last output line is taken as its JSON figures (bench/train.mjs prints one) and one JSON
// object is printed for machines: {machine, scripts: {name: figures | {text}}}.
import {readdirSync} from "node:fs";
import {spawnSync} from "node:child_process";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import os from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = [], only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith("--")) {
    flags.push(args[i]);
    if (args[i + 1] !== undefined && /^\d+$/.test(args[i + 1])) flags.push(args[++i]);
  } else {
    only.push(args[i]);
  }
}
const json = flags.includes("--json");
const scripts = readdirSync(here).filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && (!only.length || only.some((o) => f.includes(o)))).sort();
const machine = {platform: `${process.platform}/${process.arch}`, node: process.version, cores: os.availableParallelism(), loadAverage: os.loadavg()};
if (!json) console.log(`Lectern benchmarks on ${machine.platform}, Node ${machine.node}, ${machine.cores} cores; load average ${machine.loadAverage.map((x) => x.toFixed(2)).join(" ")}`);
const figures = {};
for (const script of scripts) {
  if (!json) console.log(`\n## ${script}`);
  const r = spawnSync(process.execPath, [join(here, script), ...flags], {stdio: json ? ["inherit", "pipe", "inherit"] : "inherit", cwd: join(here, ".."), encoding: "utf8", maxBuffer: 64 << 20});
  if (json) {
    const lines = (r.stdout ?? "").trim().split("\n");
    try {
      figures[script] = JSON.parse(lines.at(-1));
    } catch {
      figures[script] = {text: r.stdout};
    }
    if (r.status !== 0) figures[script].status = r.status;
  } else if (r.status !== 0) {
    console.log(`(${script} stopped with status ${r.status}; figures above are partial)`);
  }
}
if (json) console.log(JSON.stringify({machine, scripts: figures}));
