// A student's edits and exercise work, kept in their browser per lesson (one localStorage entry
// per lesson, named `lectern-edits:<course home>:<slug>`, so "Reset my progress and edits" clears it).

export interface CellEdit {
  code: string;
  /** Hash of the instructor's code the edit started from: when it differs, the lesson changed. */
  base: string;
  at: number;
}

export interface ExerciseState {
  attempts: number;
  passed: boolean;
  /** Hints revealed, in order. */
  hints: number;
  solution: boolean;
  /** The last check's words. */
  message?: string;
}

export interface LessonEdits {
  cells: Record<string, CellEdit>;
  exercises: Record<string, ExerciseState>;
}

function lessonKey(): string {
  const home = document.querySelector<HTMLAnchorElement>(".site-title")?.href ?? location.href;
  return `lectern-edits:${new URL(home, location.href).pathname}:${document.body.dataset.page ?? ""}`;
}

export function readEdits(): LessonEdits {
  try {
    const parsed = JSON.parse(localStorage.getItem(lessonKey()) ?? "{}") as Partial<LessonEdits>;
    return {cells: parsed.cells ?? {}, exercises: parsed.exercises ?? {}};
  } catch {
    return {cells: {}, exercises: {}}; // storage blocked or damaged: start afresh
  }
}

export function writeEdits(edits: LessonEdits): void {
  try {
    if (!Object.keys(edits.cells).length && !Object.keys(edits.exercises).length) localStorage.removeItem(lessonKey());
    else localStorage.setItem(lessonKey(), JSON.stringify(edits));
  } catch {
    // Storage may be blocked: edits still work on this page, they are just not kept.
  }
}

export function updateEdits(change: (edits: LessonEdits) => void): LessonEdits {
  const edits = readEdits();
  change(edits);
  writeEdits(edits);
  return edits;
}

/** A short, stable hash of a cell's code (FNV-1a, 32 bits), to notice when the instructor changed it. */
export function hashCode(code: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; ++i) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}
