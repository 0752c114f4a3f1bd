import {load, CORE_SCHEMA, YAMLException} from "js-yaml";

export interface FrontMatter {
  title?: string;
  order?: number;
  summary?: string;
  objectives?: string[];
  references?: string[];
  [key: string]: unknown;
}

export interface FrontMatterProblem {
  line: number;
  column: number;
  message: string;
}

export interface SplitFrontMatter {
  data: FrontMatter;
  /** The Markdown with the front matter replaced by blank lines, so line numbers stay the file's. */
  body: string;
  /** Lines the front matter spans (0 when there is none). */
  lines: number;
  problems: FrontMatterProblem[];
}

/** Splits `---\nyaml\n---` off the top of a notebook, keeping line numbers intact. */
export function splitFrontMatter(source: string): SplitFrontMatter {
  const lines = source.split("\n");
  if (lines[0]?.replace(/\r$/, "") !== "---") {
    return {data: {}, body: source, lines: 0, problems: [{line: 1, column: 1, message: "missing front matter: start the file with a `---` line, then `title: …`, then `---`"}]};
  }
  const end = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(line));
  if (end < 0) {
    return {data: {}, body: "", lines: lines.length, problems: [{line: 1, column: 1, message: "unterminated front matter: add a closing `---` line after the YAML"}]};
  }
  const yaml = lines.slice(1, end).join("\n");
  const body = "\n".repeat(end + 1) + lines.slice(end + 1).join("\n");
  try {
    const data = load(yaml, {schema: CORE_SCHEMA}) ?? {};
    if (typeof data !== "object" || Array.isArray(data)) {
      return {data: {}, body, lines: end + 1, problems: [{line: 2, column: 1, message: "front matter must be YAML `key: value` pairs"}]};
    }
    return {data: data as FrontMatter, body, lines: end + 1, problems: []};
  } catch (error) {
    if (error instanceof YAMLException) {
      const mark = error.mark as {line: number; column: number} | undefined;
      return {data: {}, body, lines: end + 1, problems: [{line: (mark?.line ?? 0) + 2, column: (mark?.column ?? 0) + 1, message: `front matter is not valid YAML: ${error.reason}`}]};
    }
    throw error;
  }
}

/** Checks the keys a page needs: `title` always; a lesson also `order`, `summary`, `objectives`, `references`. */
export function validateFrontMatter(data: FrontMatter, source: string, {lesson}: {lesson: boolean}): FrontMatterProblem[] {
  const problems: FrontMatterProblem[] = [];
  const lines = source.split("\n");
  const at = (key: string) => {
    const i = lines.findIndex((line) => line.startsWith(`${key}:`));
    return i > 0 ? {line: i + 1, column: 1} : {line: 1, column: 1};
  };
  const need = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!(key in data)) problems.push({...at(key), message: `front matter needs \`${key}\` (${what})`});
    else if (!ok(data[key])) problems.push({...at(key), message: `front matter \`${key}\` must be ${what}`});
  };
  const isText = (v: unknown) => typeof v === "string" && v.trim() !== "";
  const isTextList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isText);
  need("title", isText, "a non-empty string");
  if (lesson) {
    need("order", (v) => typeof v === "number" && Number.isFinite(v), "a number: the lesson's place in the course");
    need("summary", isText, "a one-sentence string");
    need("objectives", isTextList, "a list of strings");
    need("references", isTextList, "a list of strings");
  }
  return problems;
}
