// Lets queued messages (stop, pause) and input through between training steps.
// Not requestAnimationFrame or tf.nextFrame: they stop in background tabs. Not setTimeout(0):
// browsers clamp nested timers to 4 ms and throttle them in hidden tabs. A MessageChannel
// message is a plain task with neither; Node has setImmediate for the same.

const queue: (() => void)[] = [];
let channel: MessageChannel | undefined;

/** Resolves on a fresh task, after whatever messages were already waiting. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") {
      setImmediate(resolve);
      return;
    }
    if (channel === undefined) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => queue.shift()?.();
    }
    queue.push(resolve);
    channel.port2.postMessage(null);
  });
}

/** Waits `ms`, or less if `wake` resolves first (a stop or resume while slowed down). */
export function sleep(ms: number, wake?: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([timeout, wake]).then(() => clearTimeout(timer));
}
