// The in-page editor (a chunk loaded on first use): a cell's code becomes a CodeMirror editor with
// Run, Reset cell and, in the preview, Save to notebook; edits are kept per lesson and restored on
// load, with a prompt when the instructor's code changed since the student's edit began.
import type {LecternHandle} from "../main.js";
import {createCodeEditor, type CodeEditor} from "./codemirror.js";
import {originalOf, runEditedCode, restoreOriginal, positionInCell} from "./run.js";
import {hashCode, readEdits, updateEdits} from "../edits.js";
import {setupExercise} from "./exercise.js";

export interface OpenEditor {
  editor: CodeEditor;
  panel: HTMLElement;
  /** Runs the editor's code; resolves with the compile error, if any. */
  run(): ReturnType<typeof runEditedCode> & {ms: number};
  status(text: string): void;
}

const open = new Map<string, OpenEditor>();

export function openEditor(handle: LecternHandle, id: string, options: {focus?: boolean; code?: string; exercise?: boolean} = {}): OpenEditor | undefined {
  const existing = open.get(id);
  if (existing) {
    if (options.focus) existing.editor.focus();
    return existing;
  }
  const original = originalOf(handle, id);
  const root = document.querySelector<HTMLElement>(`[data-cell="${CSS.escape(id)}"]`);
  if (!original || !root) return undefined;
  const panel = document.createElement("div");
  panel.className = "cell-editor";
  panel.setAttribute("role", "group");
  panel.setAttribute("aria-label", options.exercise ? `Exercise ${id}: your code` : `Editing cell ${id}`);
  const host = document.createElement("div");
  host.className = "cell-editor-code";
  const toolbar = document.createElement("div");
  toolbar.className = "cell-editor-tools";
  const button = (text: string, label: string, onClick: () => void) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  };
  const badge = document.createElement("span");
  badge.className = "cell-edited-badge";
  badge.textContent = "edited";
  const status = document.createElement("p");
  status.className = "cell-editor-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  const save = (code: string) => {
    const edits = updateEdits((e) => {
      if (code === original.code) delete e.cells[id];
      else e.cells[id] = {code, base: e.cells[id]?.base ?? hashCode(original.code), at: Date.now()};
    });
    badge.hidden = !edits.cells[id];
    root.classList.toggle("cell-edited", !!edits.cells[id]);
    showLessonTools();
  };
  const run = () => {
    const code = editor.code();
    save(code);
    const started = performance.now();
    const result = runEditedCode(handle, id, code);
    if (result.error) {
      const at = positionInCell(original.definition, result.error);
      status.textContent = `Not run: line ${at.line}, column ${at.column}: ${result.error.message}`;
    } else status.textContent = "Ran your code.";
    return {...result, ms: performance.now() - started};
  };
  const editor = createCodeEditor(host, options.code ?? original.code, {
    label: `Code of cell ${id}. Shift+Enter or Ctrl+Enter runs it; Escape leaves the editor.`,
    onRun: () => void run(),
    onEscape: () => runButton.focus(),
    onChange: () => (status.textContent = "")
  });
  const runButton = button("Run", `Run cell ${id} (Shift+Enter)`, () => void run());
  runButton.className = "cell-run";
  const resetButton = button("Reset cell", `Reset cell ${id} to the instructor's code`, () => {
    editor.setCode(original.code);
    updateEdits((e) => void delete e.cells[id]);
    badge.hidden = true;
    root.classList.remove("cell-edited");
    restoreOriginal(handle, id);
    status.textContent = "Back to the instructor's code.";
    showLessonTools();
  });
  toolbar.append(runButton, resetButton);
  if (document.querySelector('meta[name="lectern-preview"]')) {
    toolbar.append(button("Save to notebook", `Save to notebook: cell ${id}, in ${handle.file}`, async () => {
      const code = editor.code();
      if (!(await saveBack(handle, id, original.code, code, status))) return;
      // The notebook now holds this code: it is the instructor's version, no longer an edit.
      original.code = code;
      updateEdits((e) => void delete e.cells[id]);
      badge.hidden = true;
      root.classList.remove("cell-edited");
      showLessonTools();
    }));
  }
  if (!options.exercise) {
    toolbar.append(button("Close editor", `Close editor of cell ${id}`, () => {
      panel.remove();
      open.delete(id);
      root.querySelector<HTMLElement>(":scope > .cell-source")?.removeAttribute("hidden");
      root.querySelector<HTMLElement>(":scope > .cell-code")?.removeAttribute("hidden");
      const edit = root.querySelector<HTMLButtonElement>(":scope > .cell-edit");
      if (edit) {
        edit.hidden = false;
        edit.disabled = false;
        edit.focus();
      }
    }));
  }
  toolbar.append(badge);
  badge.hidden = !readEdits().cells[id];
  root.classList.toggle("cell-edited", !badge.hidden);
  panel.append(host, toolbar, status);
  // The editor takes the place of the shown (or folded) code, and of the Edit button.
  for (const shown of root.querySelectorAll<HTMLElement>(":scope > .cell-source, :scope > .cell-code, :scope > .cell-edit")) shown.hidden = true;
  root.querySelector(":scope > .cell-output")!.before(panel);
  const entry: OpenEditor = {editor, panel, run, status: (text) => (status.textContent = text)};
  open.set(id, entry);
  if (options.focus) editor.focus();
  return entry;
}

/** On load: reopen the student's edited cells (or ask, when the lesson changed) and set up exercises. */
export function restore(handle: LecternHandle): void {
  const edits = readEdits();
  for (const root of document.querySelectorAll<HTMLElement>("[data-exercise]")) {
    const id = root.dataset.cell!;
    const edit = edits.cells[id];
    const original = originalOf(handle, id);
    const changed = edit && original && edit.base !== hashCode(original.code);
    const editor = openEditor(handle, id, {exercise: true, code: changed ? undefined : edit?.code});
    if (!editor) continue;
    if (edit && !changed) editor.run();
    if (changed) askAboutChange(handle, id, edit.code, true);
    setupExercise(handle, id, editor);
  }
  for (const [id, edit] of Object.entries(edits.cells)) {
    if (open.has(id) || !handle.cells.has(id)) continue;
    const original = originalOf(handle, id);
    if (!original) continue;
    if (edit.base !== hashCode(original.code)) askAboutChange(handle, id, edit.code, false);
    else openEditor(handle, id, {code: edit.code})?.run();
  }
  showLessonTools();
}

/** The instructor changed a cell the student had edited: keep theirs, take the new one, or compare. */
function askAboutChange(handle: LecternHandle, id: string, mine: string, exercise: boolean): void {
  const root = document.querySelector<HTMLElement>(`[data-cell="${CSS.escape(id)}"]`)!;
  const original = originalOf(handle, id)!;
  const box = document.createElement("div");
  box.className = "notice lesson-changed";
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", `Cell ${id} changed`);
  box.innerHTML = `<p><strong>The lesson changed here.</strong> The instructor updated this cell since you edited it. The page runs the new version until you choose.</p>
<div class="lesson-changed-tools"><button type="button" data-choice="keep">Keep mine</button> <button type="button" data-choice="take">Take the new version</button> <button type="button" data-choice="compare" aria-expanded="false">View both side by side</button></div>
<div class="lesson-changed-compare" hidden><figure><figcaption>The new version</figcaption><pre tabindex="0"></pre></figure><figure><figcaption>Yours</figcaption><pre tabindex="0"></pre></figure></div>`;
  const [theirs, yours] = box.querySelectorAll("pre");
  theirs.textContent = original.code;
  yours.textContent = mine;
  box.addEventListener("click", (event) => {
    const choice = (event.target as HTMLElement).closest<HTMLButtonElement>("button")?.dataset.choice;
    if (choice === "compare") {
      const compare = box.querySelector<HTMLElement>(".lesson-changed-compare")!;
      compare.hidden = !compare.hidden;
      (event.target as HTMLElement).setAttribute("aria-expanded", String(!compare.hidden));
      return;
    }
    if (!choice) return;
    box.remove();
    if (choice === "keep") {
      updateEdits((e) => void (e.cells[id] = {code: mine, base: hashCode(original.code), at: Date.now()}));
      const editor = openEditor(handle, id, {code: mine, exercise});
      editor?.editor.setCode(mine);
      editor?.run();
      editor?.editor.focus();
    } else {
      updateEdits((e) => void delete e.cells[id]);
      open.get(id)?.status("You have the new version.");
      showLessonTools();
    }
  });
  root.prepend(box);
}

/** "Reset lesson", shown at the top of the lesson while the student has edits or exercise work here. */
function showLessonTools(): void {
  const edits = readEdits();
  const count = Object.keys(edits.cells).length;
  const work = count + Object.keys(edits.exercises).length;
  let box = document.querySelector<HTMLElement>(".lesson-edits");
  if (!work) return void box?.remove();
  if (!box) {
    box = document.createElement("div");
    box.className = "notice lesson-edits";
    box.innerHTML = `<span class="lesson-edits-text"></span> <button type="button">Reset lesson</button>`;
    box.querySelector("button")!.addEventListener("click", () => {
      if (!confirm("Put back the instructor's code in every cell of this lesson, and forget your exercise attempts here?")) return;
      updateEdits((e) => {
        e.cells = {};
        e.exercises = {};
      });
      location.reload();
    });
    document.querySelector("article.notebook")?.before(box);
  }
  box.querySelector(".lesson-edits-text")!.textContent = count
    ? `You edited ${count} cell${count === 1 ? "" : "s"} of this lesson; your edits are kept in this browser.`
    : "Your exercise work in this lesson is kept in this browser.";
}

/** The preview only: write the edit into the notebook file, at that cell's lines. */
async function saveBack(handle: LecternHandle, id: string, originalCode: string, code: string, status: HTMLElement): Promise<boolean> {
  try {
    const response = await fetch("/__lectern/save", {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify({file: handle.file, id, code, base: originalCode})
    });
    status.textContent = await response.text();
    return response.ok;
  } catch (error) {
    status.textContent = `Could not save: ${error instanceof Error ? error.message : error}`;
    return false;
  }
}
