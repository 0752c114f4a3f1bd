// The light part of in-page editing, in every page: an "Edit" button on each cell that shows its
// code. The editor itself (CodeMirror and the notebook compiler) is a chunk loaded on first use; at
// once when the student has saved edits to restore; for a page's exercises, when one comes near the
// viewport or the first screen is done (./first-screen.ts), so it does not delay the first screen.
import type {LecternHandle} from "./main.js";
import type {FirstScreen} from "./first-screen.js";
import {readEdits} from "./edits.js";

type EditorModule = typeof import("./editor/index.js");
let loading: Promise<EditorModule> | undefined;
const loadEditor = () => (loading ??= import("./editor/index.js"));

/** The cells a student can edit: they run, and their code is on the page. */
export function editableRoots(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("div.cell[data-cell]")].filter((root) => root.querySelector(":scope > .cell-source, :scope > .cell-code"));
}

export function setupEditing(handle: LecternHandle, firstScreen: Pick<FirstScreen, "near">): void {
  if (document.body.dataset.embed !== undefined) return;
  for (const root of editableRoots()) {
    const id = root.dataset.cell!;
    if (root.hasAttribute("data-exercise") || !handle.cells.has(id) || !("body" in handle.cells.get(id)!.definition)) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cell-edit";
    button.textContent = "Edit";
    button.setAttribute("aria-label", `Edit the code of cell ${id}`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      const editor = await loadEditor();
      editor.openEditor(handle, id, {focus: true});
    });
    root.prepend(button);
  }
  const edits = readEdits();
  const exercises = [...document.querySelectorAll("[data-exercise]")];
  const restore = () => void loadEditor().then((editor) => editor.restore(handle));
  if (Object.keys(edits.cells).length) restore();
  else if (exercises.length) void Promise.race(exercises.map((e) => firstScreen.near(e))).then(restore);
}
