import {Runtime, RuntimeError} from "@observablehq/runtime";
import {html, svg} from "htl";
import {Generators, Mutable} from "./generators.js";
import {defineCell, defineBrokenCell, type CellDefinition, type BrokenCellDefinition} from "./cell.js";
import {setupChrome} from "./chrome.js";

export type {CellDefinition, BrokenCellDefinition};

export interface PageDefinition {
  /** The notebook's path from the project root, as messages name it. */
  file: string;
  cells: CellDefinition[];
  broken: BrokenCellDefinition[];
}

/** What every cell can use by name. Functions here are definitions: called only if a cell needs them. */
const builtins = {
  width: () => Generators.width(document.querySelector("main") ?? document.body),
  now: () => Generators.now(),
  Generators,
  Mutable: () => Mutable,
  html: () => html,
  svg: () => svg,
  Inputs: () => import("@observablehq/inputs"),
  Plot: () => import("@observablehq/plot")
};

/** Names a cell uses that no cell defines are errors, not the window's properties. */
function undefinedName(name: string): never {
  throw new RuntimeError(`\`${name}\` is not defined`, name);
}

/** Starts a page: one runtime, every cell defined, errors in place. */
export function boot(page: PageDefinition) {
  setupChrome();
  const runtime = new Runtime(builtins, undefinedName);
  const main = runtime.module();
  for (const cell of page.broken) defineBrokenCell(main, cell, page.file);
  for (const cell of page.cells) defineCell(main, cell, page.file);
  const handle = {runtime, main, file: page.file};
  // A handle for tests and for the console: `__lectern.main.value("x")`.
  (globalThis as any).__lectern = handle;
  document.documentElement.dataset.lectern = "ready";
  return handle;
}
