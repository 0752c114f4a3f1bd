// The whole of Inputs as a module of its own, for an edited cell that names a member the pages'
// built-in Inputs leaves out (the build bundles it apart so the pages' chunks keep only what they use).
// @ts-expect-error types/observablehq.d.ts types the package as one `export =` object; it is ES modules with named exports.
export * from "@observablehq/inputs";
