// An exercise's controls under its editor: Check (runs the student's code, then the instructor's
// check on the cell's values), hints one at a time, the solution on request. State is kept per lesson.
import type {LecternHandle} from "../main.js";
import type {OpenEditor} from "./index.js";
import {readEdits, updateEdits, type ExerciseState} from "../edits.js";

type Verdict = {pass: boolean; message: string};

export function setupExercise(handle: LecternHandle, id: string, editor: OpenEditor): void {
  const hints = [...document.querySelectorAll<HTMLElement>(`[data-hint-for="${CSS.escape(id)}"]`)];
  const solution = document.querySelector<HTMLElement>(`[data-solution-for="${CSS.escape(id)}"]`);
  const check = handle.checks[id] as LecternHandle["checks"][string] | undefined;
  const box = document.createElement("div");
  box.className = "exercise-tools";
  const buttons = document.createElement("div");
  buttons.className = "exercise-buttons";
  const result = document.createElement("p");
  result.className = "exercise-result";
  result.setAttribute("role", "status");
  result.setAttribute("aria-live", "polite");
  const hintList = document.createElement("ol");
  hintList.className = "exercise-hints";
  hintList.setAttribute("aria-label", "Hints");
  const make = (text: string) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    buttons.append(b);
    return b;
  };
  const state = (): ExerciseState => readEdits().exercises[id] ?? {attempts: 0, passed: false, hints: 0, solution: false};
  const setState = (change: (s: ExerciseState) => void) => updateEdits((e) => {
    const s = e.exercises[id] ?? {attempts: 0, passed: false, hints: 0, solution: false};
    change(s);
    e.exercises[id] = s;
  });

  const checkButton = check ? make("Check") : undefined;
  checkButton?.setAttribute("aria-label", `Check your answer to exercise ${id}`);
  const hintButton = hints.length ? make("") : undefined;
  const solutionButton = solution ? make("Show solution") : undefined;
  box.append(buttons, result, hintList);
  editor.panel.after(box);
  // Hints and the solution were rendered where the notebook wrote them; they belong to this panel.
  for (const hint of hints) {
    const li = document.createElement("li");
    li.hidden = true;
    hint.hidden = false;
    li.append(hint);
    hintList.append(li);
  }
  if (solution) box.append(solution);

  const show = (s: ExerciseState) => {
    hints.forEach((hint, i) => (hint.parentElement!.hidden = i >= s.hints));
    hintList.hidden = s.hints === 0;
    if (hintButton) {
      hintButton.textContent = s.hints < hints.length ? `Show hint ${s.hints + 1} of ${hints.length}` : "All hints shown";
      hintButton.disabled = s.hints >= hints.length;
    }
    if (solution && solutionButton) {
      solution.hidden = !s.solution;
      solutionButton.textContent = s.solution ? "Hide solution" : "Show solution";
      solutionButton.setAttribute("aria-expanded", String(s.solution));
    }
    const root = editor.panel.parentElement!;
    root.dataset.exerciseState = s.passed ? "passed" : s.attempts ? "tried" : "new";
    if (s.message !== undefined) {
      result.textContent = s.message;
      result.dataset.verdict = s.passed && s.message.startsWith("✓") ? "pass" : "fail";
    }
    box.setAttribute("aria-label", `Exercise ${id}: ${s.passed ? "passed" : s.attempts ? `${s.attempts} attempt${s.attempts === 1 ? "" : "s"}` : "not tried yet"}`);
  };
  hintButton?.addEventListener("click", () => {
    const s = setState((s) => void (s.hints = Math.min(hints.length, s.hints + 1))).exercises[id];
    show(s);
    hints[s.hints - 1]?.setAttribute("tabindex", "-1");
    hints[s.hints - 1]?.focus();
  });
  solutionButton?.addEventListener("click", () => show(setState((s) => void (s.solution = !s.solution)).exercises[id]));
  if (solution) {
    const use = document.createElement("button");
    use.type = "button";
    use.textContent = "Put the solution in the editor";
    use.addEventListener("click", () => {
      editor.editor.setCode(solution.querySelector("code")?.textContent ?? "");
      editor.editor.focus();
    });
    solution.append(use);
  }
  checkButton?.addEventListener("click", async () => {
    checkButton.disabled = true;
    result.textContent = "Checking…";
    delete result.dataset.verdict;
    const verdict = await runCheck(handle, id, editor, check!);
    const s = setState((s) => {
      s.attempts += 1;
      s.passed ||= verdict.pass;
      s.message = (verdict.pass ? "✓ " : "✗ ") + verdict.message;
    }).exercises[id];
    show({...s, passed: verdict.pass ? s.passed : false});
    result.dataset.verdict = verdict.pass ? "pass" : "fail";
    checkButton.disabled = false;
  });
  show(state());
}

/** Runs the student's code, waits for the cell's values, then asks the instructor's check about them. */
async function runCheck(handle: LecternHandle, id: string, editor: OpenEditor, check: (values: Record<string, unknown>) => unknown): Promise<Verdict> {
  const ran = editor.run();
  if (ran.error) return {pass: false, message: `Your code has an error, so it could not be checked: ${ran.error.message}. Fix it and check again.`};
  let values: Record<string, unknown>;
  try {
    const entries = await Promise.all(ran.outputs.map(async (name) => [name, await withTimeout(handle.main.value(name), 60_000, name)] as const));
    values = Object.fromEntries(entries);
  } catch (error) {
    return {pass: false, message: `Your code failed when it ran: ${error instanceof Error ? error.message : String(error)}`};
  }
  try {
    const answer = await check(values);
    if (answer === true) return {pass: true, message: "Correct."};
    if (typeof answer === "string") return {pass: false, message: answer};
    if (answer && typeof answer === "object" && "pass" in answer) {
      const {pass, message} = answer as {pass: unknown; message?: unknown};
      return {pass: pass === true, message: typeof message === "string" ? message : pass === true ? "Correct." : "Not yet."};
    }
    return {pass: false, message: "Not yet: your values do not pass the check."};
  } catch (error) {
    // A check that throws is the instructor's bug: say so, and never blame the student.
    return {pass: false, message: `The check itself failed (a bug in the lesson, not in your code): ${error instanceof Error ? error.message : String(error)}. Please tell your instructor.`};
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`\`${name}\` took more than ${ms / 1000} s to compute`)), ms))]);
}
