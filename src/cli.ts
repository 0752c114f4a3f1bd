import {resolve} from "node:path";
import {build} from "./build/build.js";
import {serve} from "./build/serve.js";

const HELP = `Usage: node build.mjs [options]

Builds notebooks/*.md into site/ (a static site that works offline from any host).

Options:
  --serve          after building, serve site/ on http://127.0.0.1:3000 (or $PORT)
  --keep-going     publish even with errors, shown in place in the pages
  --notebooks DIR  read notebooks from DIR (default: notebooks)
  --out DIR        write the site to DIR (default: site)
  --help           show this help

Commands (node build.mjs <command> --help for each):
  dev              preview the course, live as you edit (npm run dev)
  check            check every notebook without building (npm run check)
  new <slug> "T"   create notebooks/<slug>.md from a template (npm run new)`;

/** Subcommands live in src/commands/<name>.ts, each exporting `run(argv): Promise<number>`. */
const COMMANDS: Record<string, () => Promise<{run(argv: string[]): Promise<number>}>> = {
  dev: () => import("./commands/dev.js"),
  check: () => import("./commands/check.js"),
  new: () => import("./commands/new.js")
};

async function main(argv: string[]): Promise<number> {
  const command = argv[0] && !argv[0].startsWith("-") ? COMMANDS[argv[0]] : undefined;
  if (argv[0] && !argv[0].startsWith("-") && !command) {
    console.error(`Unknown command \`${argv[0]}\`. Commands: ${Object.keys(COMMANDS).join(", ") || "(none)"}; run \`node build.mjs --help\`.`);
    return 2;
  }
  if (command) return (await command()).run(argv.slice(1));
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (flags.has("--help")) {
    console.log(HELP);
    return 0;
  }
  const root = process.cwd();
  const started = performance.now();
  const result = await build({
    root,
    notebooks: value("--notebooks"),
    out: value("--out"),
    keepGoing: flags.has("--keep-going"),
    log: (line) => console.error(line)
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (!result.pages.length) {
    console.error(`\n${errors} error${errors === 1 ? "" : "s"}: the site was not built; ${resolve(root, value("--out") ?? "site")} is unchanged.`);
    return 1;
  }
  console.log(`Built ${result.pages.length} page${result.pages.length === 1 ? "" : "s"} into ${result.outDir} in ${seconds} s${errors ? ` (with ${errors} error${errors === 1 ? "" : "s"} shown in place)` : ""}.`);
  if (flags.has("--serve")) {
    const {url} = await serve({dir: result.outDir, port: Number(process.env.PORT ?? 3000)});
    console.log(`Serving the course at ${url}  (Ctrl+C to stop)`);
    await new Promise(() => {});
  }
  return result.ok || flags.has("--keep-going") ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code), (error) => {
  console.error(error);
  process.exitCode = 1;
});
