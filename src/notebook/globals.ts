/** Names every cell receives from the notebook runtime (see src/client/builtins.ts). */
export const BUILTINS: ReadonlySet<string> = new Set([
  "display", "view", "width", "now", "invalidation", "visibility", "Generators", "Mutable", "Inputs", "Plot", "html", "svg"
]);

/** The JavaScript language's globals (and the web platform's core ones every runtime has). */
export const JAVASCRIPT_GLOBALS: ReadonlySet<string> = new Set([
  "globalThis", "undefined", "NaN", "Infinity", "Object", "Function", "Array", "Number", "String", "Boolean", "Symbol", "BigInt",
  "Math", "JSON", "Date", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError",
  "AggregateError", "Promise", "Proxy", "Reflect", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
  "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Intl",
  "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent",
  "structuredClone", "queueMicrotask", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "console",
  "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "AbortController", "AbortSignal", "Event", "EventTarget", "CustomEvent",
  "MessageChannel", "Blob", "File", "FileReader", "fetch", "Response", "Request", "Headers", "crypto", "performance", "WebAssembly"
]);

/**
 * Globals a cell may use directly. Anything else that no cell defines is a mistake worth
 * reporting (`name`, `status`, `event` would otherwise silently resolve to the window's).
 * A cell may neither assign to nor redeclare one of the JavaScript globals above (`Array = 1`,
 * `const Math = 1`), as in Observable Framework; a browser global such as `history` may be
 * declared as a cell's own name.
 */
export const GLOBALS: ReadonlySet<string> = new Set([
  ...JAVASCRIPT_GLOBALS,
  "window", "document", "navigator", "location", "history", "localStorage", "sessionStorage", "matchMedia", "getComputedStyle",
  "requestAnimationFrame", "cancelAnimationFrame", "requestIdleCallback", "cancelIdleCallback", "devicePixelRatio", "innerWidth",
  "innerHeight", "alert", "confirm", "prompt", "Worker", "ResizeObserver", "IntersectionObserver", "MutationObserver", "Image",
  "ImageData", "OffscreenCanvas", "Path2D", "DOMParser", "XMLSerializer", "Node", "Element", "HTMLElement", "SVGElement",
  "HTMLCanvasElement", "HTMLInputElement", "DocumentFragment", "KeyboardEvent", "MouseEvent", "PointerEvent", "InputEvent",
  "createImageBitmap", "PerformanceObserver", "BroadcastChannel"
]);
