// Where a page's runs train: its one training worker (reused by every run on the page), or the
// page itself (small models, or when no worker can start: Node, a worker that failed to load).
// A TrainerHost owns the connection and routes each message to its run by id.
import {assetURL, workerURL} from "../assets.js";
// Only the tfjs-free names module: importing ../tf/backend.js here would put tfjs in every page.
import {backendFromSearch, kernelsFromSearch, threadsFromSearch, DEFAULT_THREADS, type BackendChoice, type BackendName} from "../tf/backend-names.js";
import type {FromTrainer, ToTrainer} from "./protocol.js";
import {connectedPair, workerTransport, type Transport} from "./transport.js";

export interface Connection {
  transport: Transport<FromTrainer, ToTrainer>;
  backend: BackendChoice;
}

/** One trainer (a worker, or the page itself) and the runs it serves. */
export class TrainerHost {
  readonly connection: Promise<Connection>;
  private readonly listeners = new Map<number, (message: FromTrainer) => void>();
  private readonly memoryRequests = new Map<number, (memory: {numTensors: number; numBytes: number}) => void>();
  private nextId = 1;

  constructor(connect: () => Promise<Connection>) {
    this.connection = connect().then((connection) => {
      connection.transport.onmessage = (message) => this.dispatch(message);
      return connection;
    });
  }

  get backend(): Promise<BackendChoice> {
    return this.connection.then((c) => c.backend);
  }

  /** Posts in order, once connected. */
  send(message: ToTrainer, transfer?: Transferable[]): void {
    void this.connection.then(({transport}) => transport.post(message, transfer), () => {});
  }

  /** A fresh run id whose messages go to `listener`. */
  open(listener: (message: FromTrainer) => void): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    return id;
  }

  close(id: number): void {
    this.listeners.delete(id);
  }

  /** The trainer's tf.memory(): tensors alive in the worker (or page) right now. */
  async memory(): Promise<{numTensors: number; numBytes: number}> {
    await this.connection;
    const request = this.nextId++;
    return new Promise((resolve) => {
      this.memoryRequests.set(request, resolve);
      this.send({type: "memory", request});
    });
  }

  /** Fails every open run (the worker crashed). */
  fail(message: string): void {
    for (const [run, listener] of this.listeners) {
      listener({type: "error", run, message});
      listener({type: "done", run, reason: "failed", step: 0, numTensors: NaN});
    }
  }

  private dispatch(message: FromTrainer): void {
    if (message.type === "memory") {
      this.memoryRequests.get(message.request)?.(message);
      this.memoryRequests.delete(message.request);
    } else if ("run" in message && message.run !== undefined) {
      this.listeners.get(message.run)?.(message);
    }
  }
}

/** Sends init and waits for the trainer's backend choice. */
export function handshake(transport: Transport<FromTrainer, ToTrainer>, backend?: BackendName): Promise<BackendChoice> {
  return new Promise((resolve, reject) => {
    transport.onmessage = (message) => {
      if (message.type === "ready") resolve(message.backend);
      if (message.type === "error") reject(new Error(message.message));
    };
    // The page's ?kernels=stock and ?threads= reach the worker here (a worker's own address has no query).
    const kernels = kernelsFromSearch(globalThis.location?.search), threads = threadsFromSearch(globalThis.location?.search);
    transport.post({type: "init", ...(backend ? {backend} : {}), ...(kernels === "stock" ? {kernels} : {}), ...(threads !== DEFAULT_THREADS ? {threads} : {})});
  });
}

/** The trainer on this thread (tfjs loads into the page), over an in-process channel. */
export async function connectInProcess(backend?: BackendName): Promise<Connection> {
  const {serveTrainer} = await import("./trainer-core.js");
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  serveTrainer(trainer);
  return {transport: page, backend: await handshake(page, backend)};
}

/** The page's training worker; if it cannot load, the main thread with a note saying so. */
async function connectWorker(host: () => TrainerHost, backend?: BackendName): Promise<Connection> {
  const url = assetURL("train-worker")!;
  let worker: Worker;
  try {
    worker = new Worker(workerURL(url), {type: "module"});
  } catch (error) {
    return fallBack(`The training worker could not start (${(error as Error).message})`, backend);
  }
  const transport = workerTransport<FromTrainer, ToTrainer>(worker);
  let ready = false;
  const loadFailed = new Promise<never>((_, reject) =>
    worker.addEventListener("error", (event) => {
      // A worker that fails to load reports an error event with no message.
      if (!ready) return reject(new Error(`The training worker did not load from ${url.pathname}`));
      host().fail(`The training worker crashed: ${event.message || "no message"}`);
    })
  );
  try {
    const choice = await Promise.race([handshake(transport, backend), loadFailed]);
    ready = true;
    return {transport, backend: choice};
  } catch (error) {
    worker.terminate();
    return fallBack((error as Error).message, backend);
  }
}

async function fallBack(why: string, backend?: BackendName): Promise<Connection> {
  const connection = await connectInProcess(backend);
  const note = `${why}; training on the page's main thread, which may stutter.`;
  return {...connection, backend: {...connection.backend, note: connection.backend.note ? `${note} ${connection.backend.note}` : note}};
}

let workerHost: TrainerHost | undefined;
let pageHost: TrainerHost | undefined;

/** The trainer for this page: its worker, or (onMain, or no worker possible) the page itself. */
export function trainerHost(options: {onMain?: boolean} = {}): TrainerHost {
  const backend = backendFromSearch(globalThis.location?.search);
  const canUseWorker = typeof Worker !== "undefined" && assetURL("train-worker") !== null;
  if (options.onMain || !canUseWorker) return (pageHost ??= new TrainerHost(() => connectInProcess(backend)));
  const host: TrainerHost = (workerHost ??= new TrainerHost(() => connectWorker(() => host, backend)));
  return host;
}
