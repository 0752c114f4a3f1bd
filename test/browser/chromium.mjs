// Which Chromium the browser tests and benchmarks launch, and how. One resolver for every place
// that starts Chromium (test/browser/*, bench/*): Debian's /usr/bin/chromium when it is installed,
// else the headless Chromium that `npm ci` put in node_modules (@sparticuz/chromium, pinned in
// package.json), unpacked once into node_modules/.cache/ — no network, no root, no apt-get.
//
// The npm package's own launch arguments are never used: they include --single-process and
// --disable-web-security, which would hide exactly the bugs the tests look for (workers, origins).
// Both browsers get the same flags, CHROMIUM_ARGS.
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {brotliDecompressSync} from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";
const PACKAGE = "@sparticuz/chromium";

/** The flags every test launches Chromium with (bench scripts may add their own). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"
];

let cached;

/**
 * Where Chromium is and what environment it needs: {executablePath, env, source}. `env` is the
 * process environment plus, for the npm build, the folder of its bundled libraries (NSS, expat)
 * and fonts. Throws with what to do when neither browser is available.
 */
export function resolveChromium() {
  if (existsSync(DEBIAN_CHROMIUM)) return {executablePath: DEBIAN_CHROMIUM, env: undefined, source: "Debian"};
  cached ??= unpackNpmChromium();
  return cached;
}

/** Options for playwright-core's chromium.launch(): the resolved browser with `args` (default CHROMIUM_ARGS). */
export function chromiumLaunchOptions(args = CHROMIUM_ARGS) {
  const {executablePath, env} = resolveChromium();
  return {executablePath, args, ...(env ? {env} : {})};
}

function unpackNpmChromium() {
  // (The package's exports map hides its package.json from require.resolve.)
  const packageDir = join(ROOT, "node_modules", PACKAGE);
  if (!existsSync(join(packageDir, "bin", "chromium.br"))) {
    throw new Error(`No Chromium: ${DEBIAN_CHROMIUM} is missing and ${PACKAGE} is not installed. Run \`npm ci\` (it installs ${PACKAGE}), or install Debian's: \`apt-get install -y chromium\`.`);
  }
  const version = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
  const dir = join(ROOT, "node_modules", ".cache", `lectern-chromium-${version}`);
  const executablePath = join(dir, "chromium");
  if (!existsSync(join(dir, "complete"))) {
    // Unpack beside the final folder and rename it into place: a concurrent run (a benchmark beside
    // the tests) never sees a half-written browser.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, {recursive: true, force: true});
    mkdirSync(tmp, {recursive: true});
    const bin = join(packageDir, "bin");
    writeFileSync(join(tmp, "chromium"), brotliDecompressSync(readFileSync(join(bin, "chromium.br"))));
    chmodSync(join(tmp, "chromium"), 0o755);
    // SwiftShader's libraries sit beside the binary; NSS and expat in lib/; Open Sans in fonts/.
    for (const archive of ["swiftshader.tar.br", "al2023.tar.br", "fonts.tar.br"]) {
      untar(brotliDecompressSync(readFileSync(join(bin, archive))), archive === "fonts.tar.br" ? join(tmp, "fonts") : tmp);
    }
    writeFileSync(join(tmp, "fonts.conf"), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(dir, "fonts")}</dir>\n  <cachedir>${join(dir, "fontconfig-cache")}</cachedir>\n</fontconfig>\n`);
    writeFileSync(join(tmp, "complete"), `${PACKAGE} ${version}\n`);
    try {
      renameSync(tmp, dir);
    } catch (error) {
      rmSync(tmp, {recursive: true, force: true});
      if (!existsSync(join(dir, "complete"))) throw error; // else another process unpacked it first
    }
  }
  const libs = join(dir, "lib");
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
    FONTCONFIG_FILE: join(dir, "fonts.conf")
  };
  return {executablePath, env, source: `${PACKAGE} ${version}`};
}

/** Extracts the regular files and folders of a (ustar) tar archive into `into`. */
function untar(bytes, into) {
  const text = (start, length) => {
    const s = bytes.subarray(start, start + length);
    const end = s.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? s.subarray(0, end) : s);
  };
  let offset = 0;
  let longName;
  while (offset + 512 <= bytes.length) {
    const name = text(offset, 100);
    if (!name) break;
    const size = parseInt(text(offset + 124, 12).trim() || "0", 8);
    const mode = parseInt(text(offset + 100, 8).trim() || "644", 8);
    const type = String.fromCharCode(bytes[offset + 156] || 48);
    const prefix = text(offset + 345, 155);
    const data = bytes.subarray(offset + 512, offset + 512 + size);
    let path = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = text(offset - Math.ceil(size / 512) * 512, size);
      continue;
    }
    path = path.replace(/^\.\//, "");
    const target = resolve(into, path);
    if (!target.startsWith(resolve(into))) continue;
    if (type === "5") mkdirSync(target, {recursive: true});
    else if (type === "0" || type === "\0") {
      mkdirSync(dirname(target), {recursive: true});
      writeFileSync(target, data, {mode: mode & 0o777});
    }
  }
}
