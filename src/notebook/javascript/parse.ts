import {Parser, type Options, type Node, type Program, type Expression} from "acorn";

/** acorn's options for cell code: modern syntax, module semantics, top-level await. */
export const acornOptions: Options = {
  ecmaVersion: "latest",
  sourceType: "module",
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: false,
  locations: true
};

/** A cell's code parsed: either one expression (its value is displayed) or a program. */
export interface ParsedCode {
  body: Program | Expression;
  expression: boolean;
}

/** A syntax error with its offset in the cell's code. */
export class CellSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "CellSyntaxError";
  }
}

/**
 * Parses a cell as Observable Framework does: if the whole input is one expression (and not a
 * named function or class, which reads as a declaration), it is an expression cell; otherwise a
 * program. Inline `${…}` cells must be an expression.
 */
export function parseCode(input: string, {inline = false}: {inline?: boolean} = {}): ParsedCode {
  let expression = maybeParseExpression(input);
  if (expression && (expression.type === "FunctionExpression" || expression.type === "ClassExpression") && expression.id) {
    expression = null;
  }
  if (expression) return {body: expression, expression: true};
  if (inline) {
    // Parse again to report where the expression goes wrong.
    try {
      const parser = new (Parser as any)(acornOptions, input, 0);
      parser.nextToken();
      parser.parseExpression();
      throw new CellSyntaxError("expected a single expression inside ${…}", (parser as unknown as {start: number}).start);
    } catch (error) {
      throw toCellSyntaxError(error);
    }
  }
  try {
    return {body: Parser.parse(input, acornOptions), expression: false};
  } catch (error) {
    throw toCellSyntaxError(error);
  }
}

function maybeParseExpression(input: string): Expression | null {
  const parser = new (Parser as any)(acornOptions, input, 0) as unknown as {
    nextToken(): void;
    parseExpression(): Expression;
    type: unknown;
  };
  try {
    parser.nextToken();
    const node = parser.parseExpression();
    return parser.type === tokEof() ? node : null;
  } catch {
    return null;
  }
}

function tokEof(): unknown {
  return (Parser as unknown as {acorn: {tokTypes: {eof: unknown}}}).acorn.tokTypes.eof;
}

/** Turns acorn's "Unexpected token (3:4)" into a message without acorn's own position suffix. */
export function toCellSyntaxError(error: unknown): CellSyntaxError {
  if (error instanceof CellSyntaxError) return error;
  if (error instanceof SyntaxError && typeof (error as {pos?: unknown}).pos === "number") {
    const message = error.message.replace(/\s*\(\d+:\d+\)$/, "");
    return new CellSyntaxError(message, (error as unknown as {pos: number}).pos);
  }
  throw error;
}

export type {Node};
