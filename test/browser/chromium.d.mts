import type {LaunchOptions} from "playwright-core";

export const DEBIAN_CHROMIUM: string;
/** The flags every test launches Chromium with. */
export const CHROMIUM_ARGS: string[];
/** Debian's Chromium when installed, else the npm one (unpacked into node_modules/.cache/). */
export function resolveChromium(): {executablePath: string; env: Record<string, string | undefined> | undefined; source: string};
/** Options for playwright-core's chromium.launch(): the resolved browser with `args` (default CHROMIUM_ARGS). */
export function chromiumLaunchOptions(args?: string[]): LaunchOptions;
