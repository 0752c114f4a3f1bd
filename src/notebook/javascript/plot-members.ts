// Which parts of the built-in `Plot` a compiled cell uses. A published page's `Plot` holds only the
// members its cells name (Plot.line, Plot.dot…), so the bundler can leave the rest of Plot and d3
// out of what the page loads; an edited cell that names another member gets the whole of Plot.
import {Parser, type Node} from "acorn";
import {simple} from "acorn-walk";
import {acornOptions} from "./parse.js";

/**
 * The member names a cell's body reads off `Plot` (`Plot.plot`, `Plot.line`), sorted; null when
 * it uses `Plot` any other way (passes it on, destructures it, indexes it): then it needs all of it.
 */
export function plotMembers(body: string): string[] | null {
  const tree = Parser.parseExpressionAt(body, 0, acornOptions);
  const members = new Set<string>();
  const read = new Set<Node>(), named: Node[] = [];
  simple(tree, {
    MemberExpression(node) {
      if (node.object.type === "Identifier" && node.object.name === "Plot" && !node.computed && node.property.type === "Identifier") {
        members.add(node.property.name);
        read.add(node.object);
      }
    },
    Identifier(node) {
      if (node.name === "Plot") named.push(node);
    }
  });
  return named.every((node) => read.has(node)) ? [...members].sort() : null;
}
