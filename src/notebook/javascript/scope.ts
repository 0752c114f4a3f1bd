import type {Node, Identifier, Pattern, Program, Function as FunctionNode} from "acorn";
import {ancestor} from "acorn-walk";

/** A free identifier in a cell: read from outside the cell, or assigned to outside it. */
export interface Reference {
  name: string;
  start: number;
  end: number;
  /** True when the cell assigns to the name (`x = 1`, `x++`, `[x] = a`). */
  assigned: boolean;
}

type AnyNode = Node & Record<string, any>;

const isFunction = (n: AnyNode) =>
  n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";
const isBlockScope = (n: AnyNode) =>
  n.type === "BlockStatement" || n.type === "StaticBlock" || n.type === "SwitchStatement" || n.type === "Program" ||
  n.type === "ForStatement" || n.type === "ForInStatement" || n.type === "ForOfStatement" || isFunction(n);

/** Names bound by a destructuring pattern (or a plain identifier). */
export function patternNames(pattern: Pattern | AnyNode, names: Identifier[] = []): Identifier[] {
  const p = pattern as AnyNode;
  switch (p.type) {
    case "Identifier": names.push(p as unknown as Identifier); break;
    case "ObjectPattern": for (const prop of p.properties) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, names); break;
    case "ArrayPattern": for (const el of p.elements) if (el) patternNames(el, names); break;
    case "RestElement": patternNames(p.argument, names); break;
    case "AssignmentPattern": patternNames(p.left, names); break;
  }
  return names;
}

/**
 * Finds the free identifiers of a cell, scope-aware: names bound by a function, block, catch
 * clause or class inside the cell are not free; neither are the cell's own top-level
 * declarations (`topLevel`), which are the cell's outputs.
 */
export function findReferences(root: AnyNode): Reference[] {
  const scopes = new Map<AnyNode, Set<string>>();
  const declare = (scope: AnyNode, name: string) => {
    let set = scopes.get(scope);
    if (!set) scopes.set(scope, (set = new Set()));
    set.add(name);
  };
  const nearest = (ancestors: AnyNode[], test: (n: AnyNode) => boolean, from = ancestors.length - 2) => {
    for (let i = from; i >= 0; --i) if (test(ancestors[i])) return ancestors[i];
    return ancestors[0];
  };

  // First pass: record which node scopes each binding.
  const declarations = {
    VariableDeclaration(node: AnyNode, _: unknown, ancestors: AnyNode[]) {
      const scope = node.kind === "var" ? nearest(ancestors, (n) => isFunction(n) || n.type === "Program") : nearest(ancestors, isBlockScope);
      for (const d of node.declarations) for (const id of patternNames(d.id)) declare(scope, id.name);
    },
    FunctionDeclaration(node: AnyNode, _: unknown, ancestors: AnyNode[]) {
      if (node.id) declare(nearest(ancestors, isBlockScope), node.id.name);
      declareParams(node);
    },
    FunctionExpression(node: AnyNode) {
      if (node.id) declare(node, node.id.name);
      declareParams(node);
    },
    ArrowFunctionExpression(node: AnyNode) {
      declareParams(node);
    },
    ClassDeclaration(node: AnyNode, _: unknown, ancestors: AnyNode[]) {
      if (node.id) declare(nearest(ancestors, isBlockScope), node.id.name);
    },
    ClassExpression(node: AnyNode) {
      if (node.id) declare(node, node.id.name);
    },
    CatchClause(node: AnyNode) {
      if (node.param) for (const id of patternNames(node.param)) declare(node, id.name);
    },
    ImportDeclaration(node: AnyNode, _: unknown, ancestors: AnyNode[]) {
      for (const s of node.specifiers) declare(ancestors[0], s.local.name);
    }
  };
  function declareParams(fn: AnyNode) {
    declare(fn, "arguments");
    for (const param of (fn as unknown as FunctionNode).params) for (const id of patternNames(param)) declare(fn, id.name);
  }
  ancestor(root as Node, declarations as any);

  const references: Reference[] = [];
  const isLocal = (name: string, ancestors: AnyNode[]) => {
    for (let i = ancestors.length - 2; i >= 0; --i) if (scopes.get(ancestors[i])?.has(name)) return true;
    return false;
  };
  const add = (node: AnyNode, ancestors: AnyNode[], assigned: boolean) => {
    if (!isLocal(node.name, ancestors)) references.push({name: node.name, start: node.start, end: node.end, assigned});
  };

  ancestor(root as Node, {
    Identifier(node: AnyNode, _: unknown, ancestors: AnyNode[]) {
      const parent = ancestors[ancestors.length - 2];
      const assigned =
        (parent?.type === "UpdateExpression" && parent.argument === node) ||
        ((parent?.type === "ForInStatement" || parent?.type === "ForOfStatement") && parent.left === node);
      add(node, ancestors, assigned);
    },
    // acorn-walk visits both declared names and assignment targets as "VariablePattern";
    // the nearest enclosing binding construct tells which one this is.
    VariablePattern(node: AnyNode, _: unknown, ancestors: AnyNode[]) {
      for (let i = ancestors.length - 2; i >= 0; --i) {
        const a = ancestors[i];
        const child = ancestors[i + 1];
        switch (a.type) {
          case "VariableDeclarator": if (child === a.id) return; break;
          case "FunctionDeclaration": case "FunctionExpression": case "ArrowFunctionExpression":
            if (child === a.id || a.params.includes(child)) return; break;
          case "ClassDeclaration": case "ClassExpression": if (child === a.id) return; break;
          case "CatchClause": if (child === a.param) return; break;
          case "AssignmentExpression": if (child === a.left) return add(node, ancestors, true); break;
          case "ForInStatement": case "ForOfStatement": if (child === a.left) return add(node, ancestors, true); break;
        }
        if (a.type.endsWith("Statement") || a.type === "Program") break;
      }
      add(node, ancestors, false);
    }
  } as any);
  return references;
}

/** The names a program cell declares at its top level: its outputs. */
export function findDeclarations(program: Program): Identifier[] {
  const names: Identifier[] = [];
  for (const node of program.body as AnyNode[]) {
    switch (node.type) {
      case "VariableDeclaration": for (const d of node.declarations) patternNames(d.id, names); break;
      case "FunctionDeclaration": case "ClassDeclaration": names.push(node.id); break;
      case "ImportDeclaration": for (const s of node.specifiers) names.push(s.local); break;
    }
  }
  return names;
}
