// @observablehq packages ship no type declarations; these cover what Lectern uses.
declare module "@observablehq/runtime" {
  export class RuntimeError extends Error {
    constructor(message: string, input?: string);
    input?: string;
  }
  export interface Observer {
    pending?(): void;
    fulfilled?(value: unknown, name?: string | null): void;
    rejected?(error: unknown, name?: string | null): void;
    _node?: Element;
  }
  export interface Variable {
    define(name: string | null, inputs: string[], definition: (...args: any[]) => unknown): Variable;
    define(inputs: string[], definition: (...args: any[]) => unknown): Variable;
    define(definition: unknown): Variable;
    delete(): Variable;
    _name: string | null;
  }
  export interface Module {
    variable(observer?: Observer | boolean, options?: {shadow?: Record<string, unknown>}): Variable;
    define(name: string, inputs: string[], definition: (...args: any[]) => unknown): Variable;
    redefine(name: string, inputs: string[], definition: (...args: any[]) => unknown): Variable;
    value(name: string): Promise<unknown>;
  }
  export class Runtime {
    constructor(builtins?: Record<string, unknown>, global?: (name: string) => unknown);
    module(): Module;
    dispose(): void;
  }
}
declare module "@observablehq/inspector" {
  export class Inspector {
    constructor(node: Element);
    pending(): void;
    fulfilled(value: unknown, name?: string | null): void;
    rejected(error: unknown, name?: string | null): void;
    static into(container: Element | string): () => Inspector;
  }
}
declare module "@observablehq/inputs" {
  const Inputs: Record<string, (...args: any[]) => HTMLElement>;
  export = Inputs;
}
declare module "mnist" {
  const mnist: unknown;
  export default mnist;
}
declare module "htl" {
  export function html(strings: TemplateStringsArray, ...values: unknown[]): any;
  export function svg(strings: TemplateStringsArray, ...values: unknown[]): any;
}
