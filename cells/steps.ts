// The course's lesson-defined training steps (see ./train/step.ts): module name → loader. The
// trainer looks a page's StepRef up here, so only modules listed here can be trained by name.
// Each lesson with its own step adds one line.
import type {StepRegistry} from "./train/step.js";

export const steps: StepRegistry = {
  "vae/model": () => import("./vae/model.js") as Promise<Record<string, unknown>>,
  "gan/model": () => import("./gan/model.js") as Promise<Record<string, unknown>>,
  "diffusion/model": () => import("./diffusion/model.js") as Promise<Record<string, unknown>>,
  "lstm/model": () => import("./lstm/model.js") as Promise<Record<string, unknown>>
};
