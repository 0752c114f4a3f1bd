import type {Module} from "@observablehq/runtime";
import {outputOf, renderValue, renderError} from "./display.js";
import {input, valueGenerators} from "./generators.js";
import {nextSlice} from "./slice.js";

/** A cell as the build emits it into the page module. */
export interface CellDefinition {
  id: string;
  inputs: string[];
  outputs: string[];
  autodisplay: boolean;
  inline: boolean;
  body: (...args: any[]) => unknown;
  line: number;
  column: number;
  /** The fence's indentation (columns before the code on lines after the first). */
  indent?: number;
}

/** A cell the build could not compile: its error shows in place; its names reject for dependents. */
export interface BrokenCellDefinition {
  id: string;
  outputs: string[];
  message: string;
  line: number;
  column: number;
}

export type CellState = "pending" | "running" | "fulfilled" | "rejected";

/** Which cell an error came from, so a dependent can say "this cell uses x, which failed". */
const origin = new WeakMap<object, {id: string; position: string}>();
/** Which cell defines each name on the page, to explain an error that comes from upstream. */
const definers = new Map<string, {id: string; position: string}>();

export interface DefinedCell {
  variables: {delete(): void}[];
  root: HTMLElement | null;
  /** Deletes the cell's variables and silences its observer, so a redefinition owns the root alone (preview). */
  dispose(): void;
}

/** Defines one cell in the runtime: a hidden variable runs the body; one variable per output. */
export function defineCell(main: Module, cell: CellDefinition, file: string, root = document.querySelector<HTMLElement>(`[data-cell="${CSS.escape(cell.id)}"]`), gate?: () => Promise<void> | undefined): DefinedCell {
  // Read when needed: the preview updates a kept cell's line when prose above it changes.
  const at = () => `${file}:${cell.line}:${cell.column}`;
  const output = root ? outputOf(root) : null;
  for (const name of [`cell ${cell.id}`, ...cell.outputs]) definers.set(name, {id: cell.id, get position() { return at(); }});
  let disposed = false;
  let stale = false; // outputs from the previous run are cleared lazily, so re-runs do not flicker
  let live = 0; // generators of this cell still yielding
  let failed = false;
  let settled = false;

  const setState = () => {
    if (!root || disposed) return;
    const state: CellState = failed ? "rejected" : !settled ? "pending" : live > 0 ? "running" : "fulfilled";
    if (root.dataset.state !== state) root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "pending"));
  };
  const clear = () => {
    if (stale && output) output.replaceChildren();
    stale = false;
  };
  const display = <T>(value: T): T => {
    if (disposed) return value;
    clear();
    output?.append(renderValue(value, cell.inline));
    return value;
  };
  const view = <T extends EventTarget & {value?: unknown}>(element: T) => {
    display(element);
    return input(element);
  };
  const track = (value: unknown): unknown => {
    if (!isGenerator(value) || valueGenerators.has(value as object)) return value;
    return trackGenerator(value, () => (++live, setState()), () => (--live, setState()));
  };

  const runtimeInputs = cell.inputs.filter((name) => name !== "display" && name !== "view");
  const body = cell.body;
  const definition = async function (...values: unknown[]) {
    let j = 0;
    const args = cell.inputs.map((name) => (name === "display" ? display : name === "view" ? view : values[j++]));
    try {
      await gate?.(); // a cell below the first screen waits for it (./first-screen.ts)
      await nextSlice(); // many cells re-running at once share the main thread in slices (./slice.ts)
      const value = await body(...args);
      return cell.outputs.length ? value : track(value);
    } catch (error) {
      throw tagError(error, cell.id, at());
    }
  };

  const observer = {
    _node: root ?? undefined,
    pending() {
      if (disposed) return;
      stale = true;
      failed = false;
      settled = false;
      setState();
    },
    fulfilled(value: unknown) {
      if (disposed) return;
      settled = true;
      failed = false;
      if (cell.autodisplay) {
        stale = true;
        display(value);
      } else clear();
      setState();
    },
    rejected(error: unknown) {
      if (disposed) return;
      settled = true;
      failed = true;
      stale = true;
      clear();
      const from = originOf(error);
      const upstream = from && from.id !== cell.id ? from : undefined;
      const message = error instanceof Error ? error.message : String(error);
      output?.append(renderError(at(), message, upstream, cell.inline));
      setState();
      if (!upstream) console.warn(`${at()} error: ${message}`);
    }
  };

  const name = cell.outputs.length ? `cell ${cell.id}` : null;
  const variables = [main.variable(observer).define(name, runtimeInputs, definition)];
  for (const out of cell.outputs) {
    // An output fails on its own only when its generator throws; otherwise the cell already said why.
    const outputObserver = {rejected: (error: unknown) => void (failed || observer.rejected(error))};
    variables.push(main.variable(outputObserver).define(out, [`cell ${cell.id}`], (exports: Record<string, unknown>) => track(exports[out])));
  }
  const dispose = () => {
    disposed = true;
    for (const v of variables) v.delete();
  };
  return {variables, root, dispose};
}

/** A cell that did not compile: show its error; make its names fail for the cells that use them. */
export function defineBrokenCell(main: Module, cell: BrokenCellDefinition, file: string, root = document.querySelector<HTMLElement>(`[data-cell="${CSS.escape(cell.id)}"]`)): DefinedCell {
  const position = `${file}:${cell.line}:${cell.column}`;
  if (root) {
    outputOf(root).replaceChildren(renderError(position, cell.message, undefined, root.classList.contains("cell-inline")));
    root.dataset.state = "rejected";
    root.setAttribute("aria-busy", "false");
  }
  console.warn(`${position} error: ${cell.message}`);
  for (const name of cell.outputs) definers.set(name, {id: cell.id, position});
  const variables = cell.outputs.map((out) =>
    main.variable(true).define(out, [], () => {
      throw tagError(new Error(cell.message), cell.id, position);
    })
  );
  return {variables, root, dispose: () => variables.forEach((v) => v.delete())};
}

/** The cell an error started in: tagged when thrown, or named by the runtime's RuntimeError.input. */
function originOf(error: unknown): {id: string; position: string} | undefined {
  if (!error || typeof error !== "object") return undefined;
  const input = (error as {input?: unknown}).input;
  return origin.get(error) ?? (typeof input === "string" ? definers.get(input) : undefined);
}

function tagError(error: unknown, id: string, position: string): unknown {
  const e = error && typeof error === "object" ? error : new Error(String(error));
  if (!origin.has(e)) origin.set(e, {id, position});
  return e;
}

function isGenerator(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return !!value && typeof (value as any).next === "function" && typeof (value as any).return === "function" &&
    (typeof (value as any)[Symbol.asyncIterator] === "function" || typeof (value as any)[Symbol.iterator] === "function");
}

/** Wraps a generator so the cell knows when it finishes; `return()` still reaches the original. */
async function* trackGenerator(generator: AsyncIterable<unknown> | Iterable<unknown>, start: () => void, stop: () => void) {
  start();
  try {
    yield* generator as AsyncIterable<unknown>;
  } finally {
    stop();
  }
}
