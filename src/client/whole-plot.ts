// The whole of Plot as a module of its own, for an edited cell that names a member the pages'
// built-in Plot leaves out (the build bundles it apart so the pages' chunks keep only what they use).
export * from "@observablehq/plot";
