import {Runtime, RuntimeError} from "@observablehq/runtime";
import {html, svg} from "htl";
import {Generators, Mutable} from "./generators.js";
import {defineCell, defineBrokenCell, type CellDefinition, type BrokenCellDefinition, type DefinedCell} from "./cell.js";
import {setupChrome} from "./chrome.js";
import {computeAfterFrames} from "./slice.js";
import {mendAccessibilityOf} from "./display.js";
import {setupEmbedControls} from "./embed-control.js";
import {setupSteps} from "./steps.js";
import {setupPrint} from "./print.js";
import {setupProgress} from "./home.js";
import {setupEditing} from "./editing.js";
import {setupFirstScreen, type FirstScreen} from "./first-screen.js";

export type {CellDefinition, BrokenCellDefinition};

export interface PageDefinition {
  /** The notebook's path from the project root, as messages name it. */
  file: string;
  cells: CellDefinition[];
  broken: BrokenCellDefinition[];
  /** The modules the page's cells import, by specifier: what an edited cell may import. */
  modules?: Record<string, () => Promise<unknown>>;
  /** Exercise checks by exercise id: functions of the cell's values. */
  checks?: Record<string, (values: Record<string, unknown>) => unknown>;
}

/** What every cell can use by name. Functions here are definitions: called only if a cell needs them. */
export const builtins = {
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
export function undefinedName(name: string): never {
  throw new RuntimeError(`\`${name}\` is not defined`, name);
}

/** The page's runtime, and its cells by id so the preview can replace one without touching the rest. */
export interface LecternHandle {
  runtime: Runtime;
  main: ReturnType<Runtime["module"]>;
  file: string;
  cells: Map<string, {definition: CellDefinition | BrokenCellDefinition; defined: DefinedCell}>;
  define(cell: CellDefinition): DefinedCell;
  defineBroken(cell: BrokenCellDefinition): DefinedCell;
  modules: NonNullable<PageDefinition["modules"]>;
  checks: NonNullable<PageDefinition["checks"]>;
}

/** Starts a page: one runtime, every cell defined, errors in place. */
export function boot(page: PageDefinition): LecternHandle {
  setupChrome();
  setupEmbedControls();
  mendAccessibilityOf(document.querySelector("main") ?? document.body);
  const runtime = new Runtime(builtins, undefinedName);
  computeAfterFrames(runtime);
  const main = runtime.module();
  const cells: LecternHandle["cells"] = new Map();
  const rootOf = (id: string) => document.querySelector<HTMLElement>(`[data-cell="${CSS.escape(id)}"]`);
  // Only the cells the page boots with wait for the first screen; a redefinition (an edit) runs at once.
  const define = (definition: CellDefinition, firstScreen?: FirstScreen) => {
    const defined = defineCell(main, definition, page.file, rootOf(definition.id), firstScreen && (() => firstScreen.gate(definition.id)));
    cells.set(definition.id, {definition, defined});
    return defined;
  };
  const defineBroken = (definition: BrokenCellDefinition) => {
    const defined = defineBrokenCell(main, definition, page.file);
    cells.set(definition.id, {definition, defined});
    return defined;
  };
  for (const cell of page.broken) defineBroken(cell);
  const firstScreen = setupFirstScreen(page.cells, rootOf);
  for (const cell of page.cells) define(cell, firstScreen);
  const handle: LecternHandle = {runtime, main, file: page.file, cells, define: (cell) => define(cell), defineBroken, modules: page.modules ?? {}, checks: page.checks ?? {}};
  // A handle for tests and for the console: `__lectern.main.value("x")`.
  (globalThis as any).__lectern = handle;
  // Steps after the cells are defined: hiding a step never stops its cells.
  setupProgress(setupSteps());
  setupEditing(handle, firstScreen);
  setupPrint();
  document.documentElement.dataset.lectern = "ready";
  return handle;
}
