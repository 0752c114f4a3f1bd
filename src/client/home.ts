// What the student's saved place shows: on a lesson, "continue where you left off"; on the course
// home, the lessons visited and the reset button; in the sidebar everywhere, a mark on visited lessons.
import {markVisitedLessons, readProgress, resetProgressAndEdits} from "./progress.js";
import type {StepsController} from "./steps.js";

export function setupProgress(steps: StepsController | undefined): void {
  const slug = document.body.dataset.page ?? "";
  const saved = readProgress()[slug];
  markVisitedLessons();
  if (slug === "index") addResetButton();
  else if (steps && saved && saved.step > 1 && saved.step <= steps.count && steps.mode === "page" && !location.hash) addResumeNotice(steps, saved.step);
}

function addResumeNotice(steps: StepsController, step: number): void {
  const notice = document.createElement("div");
  notice.className = "notice resume-notice";
  notice.innerHTML = `<span>Welcome back: you were at step ${step} of ${steps.count}.</span> <button type="button">Continue at step ${step}</button>`;
  notice.querySelector("button")!.addEventListener("click", () => {
    notice.remove();
    steps.go(step);
    document.getElementById(`step-${step}`)?.focus({preventScroll: true});
  });
  document.querySelector("article.notebook")?.before(notice);
}

function addResetButton(): void {
  const box = document.createElement("div");
  box.className = "progress-tools";
  box.innerHTML = `<p>This browser remembers the step you reached in each lesson, your edits to cells, your exercise attempts and the models you trained and saved, on this device only; nothing is sent anywhere.</p>
<button type="button" id="reset-progress">Reset my progress and edits</button>
<p class="progress-status" role="status" aria-live="polite"></p>`;
  const button = box.querySelector("button")!;
  const status = box.querySelector(".progress-status")!;
  button.addEventListener("click", async () => {
    if (!confirm("Forget the step you reached in every lesson, your edits and the models you trained in this browser?")) return;
    button.disabled = true;
    await resetProgressAndEdits();
    markVisitedLessons();
    button.disabled = false;
    status.textContent = "Your progress, edits and saved models are cleared.";
  });
  const cards = document.querySelector(".lesson-cards");
  if (cards) cards.after(box);
  else document.querySelector("article.notebook")?.append(box);
}
