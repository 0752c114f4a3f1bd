import type {Page} from "playwright-core";

/** Call before page.goto; the returned function resolves to the URL paths loaded when the first screen was done. */
export function watchFirstScreen(page: Page): Promise<(timeout?: number) => Promise<string[]>>;
