/** What the closure needs of a cell: its id and the names it takes and declares. */
export interface ClosureCell {
  id: string;
  inputs?: readonly string[];
  outputs: readonly string[];
}

/**
 * The ids of the cells one cell needs to run: itself and, transitively, every cell that defines a
 * name it takes (built-ins and undefined names have no definer and add nothing). In document
 * order; undefined when no cell has that id. Pure: the build and the browser share it.
 */
export function cellClosure(cells: readonly ClosureCell[], id: string): string[] | undefined {
  const byId = new Map(cells.map((c) => [c.id, c]));
  if (!byId.has(id)) return undefined;
  const definer = new Map<string, string>();
  for (const c of cells) for (const name of c.outputs) if (!definer.has(name)) definer.set(name, c.id);
  const seen = new Set<string>([id]);
  const queue = [id];
  while (queue.length) {
    const cell = byId.get(queue.pop()!)!;
    for (const name of cell.inputs ?? []) {
      const from = definer.get(name);
      if (from !== undefined && !seen.has(from)) {
        seen.add(from);
        queue.push(from);
      }
    }
  }
  return cells.filter((c) => seen.has(c.id)).map((c) => c.id);
}
