/** A problem a user can fix, at a place in a notebook file (1-based line and column). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
  /** The id of the cell the problem belongs to, when it belongs to one. */
  cell?: string;
}

/** The one format the build, the checker and the preview print: `file:line:col severity: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity}: ${d.message}`;
}

export function formatPosition(d: {file: string; line: number; column: number}): string {
  return `${d.file}:${d.line}:${d.column}`;
}

/** Orders diagnostics by file, then position, so output reads top to bottom. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
