import {resolve} from "node:path";
import {compileCourse, type CourseNotebook, type NotebookCache} from "../build/build.js";
import type {Diagnostic} from "../notebook/diagnostic.js";

export interface CompiledCourse {
  notebooks: CourseNotebook[];
  diagnostics: Diagnostic[];
}

/** The course as the instructor edits it: compileCourse with a cache, so a save recompiles one notebook. */
export class LiveCourse {
  private cache: NotebookCache = new Map();
  readonly dir: string;

  constructor(readonly root: string, notebooks = "notebooks") {
    this.dir = resolve(root, notebooks);
  }

  /** Forgets every compiled notebook: what `../cells/…` resolves to may have changed. */
  forget(): void {
    this.cache.clear();
  }

  compile(): CompiledCourse {
    return compileCourse(this.root, this.dir, this.cache);
  }
}
