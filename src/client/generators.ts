/**
 * Observable's generator helpers, written for Lectern (the runtime ships none). Each returns an
 * async generator, so the runtime iterates it and calls `return()` when the cell is invalidated.
 */

/**
 * Generators that stand for a value the user (or a cell) sets, such as an input's: they wait
 * rather than "run", so a cell holding one is settled, not running.
 */
export const valueGenerators = new WeakSet<object>();

/** Yields each value `change` is called with; `initialize` returns an optional dispose function. */
export async function* observe<T>(initialize: (change: (value: T) => void) => void | (() => void)): AsyncGenerator<T, void, unknown> {
  let resolve: ((value: T) => void) | null = null;
  let latest: {value: T} | null = null;
  const dispose = initialize((value) => {
    if (resolve) resolve(value), (resolve = null);
    else latest = {value};
  });
  try {
    for (;;) {
      if (latest) {
        const {value} = latest;
        latest = null;
        yield value;
      } else {
        yield await new Promise<T>((r) => (resolve = r));
      }
    }
  } finally {
    if (typeof dispose === "function") dispose();
  }
}

/** Like observe, but every value is kept and yielded in order. */
export async function* queue<T>(initialize: (change: (value: T) => void) => void | (() => void)): AsyncGenerator<T, void, unknown> {
  const values: T[] = [];
  let wake: (() => void) | null = null;
  const dispose = initialize((value) => {
    values.push(value);
    if (wake) wake(), (wake = null);
  });
  try {
    for (;;) {
      if (values.length) yield values.shift()!;
      else await new Promise<void>((r) => (wake = r));
    }
  } finally {
    if (typeof dispose === "function") dispose();
  }
}

/** The value of an input element (or anything with `.value` that fires `input` events), over time. */
export function input<T = unknown>(element: EventTarget & {value?: unknown}): AsyncGenerator<T, void, unknown> {
  return asValue(observe<T>((change) => {
    const event = eventOf(element);
    const update = () => change(valueOf(element) as T);
    element.addEventListener(event, update);
    update();
    return () => element.removeEventListener(event, update);
  }));
}

function asValue<G extends object>(generator: G): G {
  valueGenerators.add(generator);
  return generator;
}

function eventOf(element: EventTarget): string {
  if (typeof HTMLInputElement !== "undefined" && element instanceof HTMLInputElement) {
    return ["button", "submit", "checkbox", "radio", "file"].includes(element.type) ? "click" : "input";
  }
  if (typeof HTMLSelectElement !== "undefined" && element instanceof HTMLSelectElement) return "change";
  return "input";
}

function valueOf(element: EventTarget & {value?: unknown}): unknown {
  if (typeof HTMLInputElement !== "undefined" && element instanceof HTMLInputElement) {
    switch (element.type) {
      case "range": case "number": return element.valueAsNumber;
      case "checkbox": return element.checked;
      case "file": return element.multiple ? element.files : element.files?.[0];
    }
  }
  return element.value;
}

/** Date.now(), once per animation frame. */
export function now(): AsyncGenerator<number, void, unknown> {
  return observe<number>((change) => {
    let frame = requestAnimationFrame(function tick() {
      change(Date.now());
      frame = requestAnimationFrame(tick);
    });
    change(Date.now());
    return () => cancelAnimationFrame(frame);
  });
}

/** An element's content width in pixels, whenever it changes. */
export function width(element: Element): AsyncGenerator<number, void, unknown> {
  return observe<number>((change) => {
    let last: number | undefined;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry.contentRect.width);
      if (w !== last) change((last = w));
    });
    observer.observe(element);
    return () => observer.disconnect();
  });
}

/** A value other cells see as its current value; assign `.value` (in the defining cell) to change it. */
export function Mutable<T>(initial: T): AsyncGenerator<T, void, unknown> & {value: T} {
  let value = initial;
  let change: ((v: T) => void) | undefined;
  const generator = asValue(observe<T>((c) => {
    change = c;
    change(value);
  })) as AsyncGenerator<T, void, unknown> & {value: T};
  return Object.defineProperty(generator, "value", {
    get: () => value,
    set: (v: T) => {
      value = v;
      change?.(v);
    }
  });
}

export const Generators = {observe, queue, input, now, width};
