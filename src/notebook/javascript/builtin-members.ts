// Which parts of the built-ins `Plot` and `Inputs` a compiled cell uses. A published page's `Plot`
// holds only the members the lesson's cells name (Plot.line, Plot.dot…), so the bundler can leave
// the rest of Plot and d3 out of what every page loads; an edited cell that names another member
// gets the whole package (the build bundles each apart, under the asset name given here).
import {Parser, type Node} from "acorn";
import {simple} from "acorn-walk";
import {acornOptions} from "./parse.js";

/** The built-ins a published page holds in part: the package, and the asset of its whole bundle. */
export const PARTIAL_BUILTINS = {
  Plot: {specifier: "@observablehq/plot", asset: "plot"},
  Inputs: {specifier: "@observablehq/inputs", asset: "inputs"}
} as const;
export type PartialBuiltin = keyof typeof PARTIAL_BUILTINS;

/**
 * The member names a cell's body reads off the built-in `name` (`Plot.plot`, `Plot.line`), sorted;
 * null when it uses it any other way (passes it on, destructures it, indexes it): then it needs all.
 */
export function builtinMembers(body: string, name: PartialBuiltin): string[] | null {
  const tree = Parser.parseExpressionAt(body, 0, acornOptions);
  const members = new Set<string>();
  const read = new Set<Node>(), named: Node[] = [];
  simple(tree, {
    MemberExpression(node) {
      if (node.object.type === "Identifier" && node.object.name === name && !node.computed && node.property.type === "Identifier") {
        members.add(node.property.name);
        read.add(node.object);
      }
    },
    Identifier(node) {
      if (node.name === name) named.push(node);
    }
  });
  return named.every((node) => read.has(node)) ? [...members].sort() : null;
}
