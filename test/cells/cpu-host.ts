// The live-model harness in this process, on the tfjs cpu backend: the trainer served over an
// in-memory transport, as the page's main thread runs it when there is no worker.
import {tf} from "../../cells/tf/tfjs.js";
import {handshake, TrainerHost} from "../../cells/train/client.js";
import type {FromTrainer, ToTrainer} from "../../cells/train/protocol.js";
import {serveTrainer} from "../../cells/train/trainer-core.js";
import {connectedPair} from "../../cells/train/transport.js";

export async function cpuHost(): Promise<TrainerHost> {
  await tf.setBackend("cpu");
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  serveTrainer(trainer);
  const host = new TrainerHost(async () => ({transport: page, backend: await handshake(page, "cpu")}));
  await host.backend;
  return host;
}
