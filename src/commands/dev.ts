import {formatDiagnostic} from "../notebook/diagnostic.js";
import {startPreview} from "../preview/server.js";

const HELP = `Usage: npm run dev [-- --port N] [--host H] [--notebooks DIR]

Serves the course on http://127.0.0.1:3000 (or the next free port, or $PORT) as \`npm start\`
would, and keeps every open page live: save a notebook or a cells/ module and the page shows
the change at once, keeping what is running. Problems show in place and in a banner.`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(value("--port") ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port needs a port number, not \`${value("--port")}\``);
    return 2;
  }
  const preview = await startPreview({
    root: process.cwd(),
    notebooks: value("--notebooks"),
    port,
    host: value("--host"),
    log: (line) => console.log(line)
  });
  const problems = preview.preview.diagnostics();
  for (const d of problems) console.log(formatDiagnostic(d));
  console.log(`Previewing the course at ${preview.url}  (pages update as you save; Ctrl+C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => void preview.close().then(resolve, resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
