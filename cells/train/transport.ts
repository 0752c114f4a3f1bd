// How page and trainer talk: anything that can post a message and hand over received ones.
// A module Worker is one; `connectedPair` is another, in one process, for the main-thread
// path and for unit tests (structured-cloned and delivered on a later task, like a worker's).
import {yieldToEventLoop} from "./yield.js";

export interface Transport<In, Out> {
  post(message: Out, transfer?: Transferable[]): void;
  onmessage: ((message: In) => void) | null;
}

/** Two ends of an in-process channel: what one posts, the other receives on a later task. */
export function connectedPair<A, B>(options: {clone?: boolean} = {}): [Transport<B, A>, Transport<A, B>] {
  const {clone = true} = options;
  const send = <M>(message: M, transfer: Transferable[], to: () => Transport<M, unknown>) => {
    // Cloning (with transfer) keeps the worker's rules: no functions, sent buffers detached.
    const delivered = clone ? structuredClone(message, {transfer}) : message;
    void yieldToEventLoop().then(() => to().onmessage?.(delivered));
  };
  const left: Transport<B, A> = {onmessage: null, post: (message, transfer = []) => send(message, transfer, () => right)};
  const right: Transport<A, B> = {onmessage: null, post: (message, transfer = []) => send(message, transfer, () => left)};
  return [left, right];
}

/** A Worker (page side) or the worker's own global scope (inside) as a Transport. */
export function workerTransport<In, Out>(port: {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}): Transport<In, Out> {
  const transport: Transport<In, Out> = {
    onmessage: null,
    post: (message, transfer = []) => port.postMessage(message, transfer)
  };
  port.addEventListener("message", (event) => transport.onmessage?.(event.data as In));
  return transport;
}
