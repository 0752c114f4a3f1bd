// The training worker's entry (the build bundles it alone as site/assets/train-worker-<hash>.js).
// Everything happens in ./trainer-core.ts; this file only connects it to the worker's port.
import {serveTrainer} from "./trainer-core.js";
import {workerTransport} from "./transport.js";
import type {FromTrainer, ToTrainer} from "./protocol.js";

serveTrainer(workerTransport<ToTrainer, FromTrainer>(self as unknown as DedicatedWorkerGlobalScope));
