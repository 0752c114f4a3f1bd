// The same autoencoder step written for jax-js (@jax-js/jax, a dev dependency), as its authors
// intend it: the whole step (forward, binary cross-entropy, backward, Adam) in one jit-compiled
// function on its wasm device. bench/train.mjs bundles it into a page and times an epoch next to
// tfjs; Lectern never ships it. Same data (the harness's MNIST split), same sizes, same Adam
// settings as tfjs's "adam" (lr 1e-3, β 0.9/0.999, ε 1e-7), same clipping in the loss (1e-7).
import {init, jit, numpy as np, tree, valueAndGrad, type Array as JaxArray} from "@jax-js/jax";
import {mnistSplit} from "../cells/data/mnist.js";
import {mulberry32} from "../cells/data/random.js";

type Params = {w: JaxArray[]; b: JaxArray[]};
const SIZES = [784, 128, 64, 128, 784];
const EPS = 1e-7;

function glorot(fanIn: number, fanOut: number, random: () => number): JaxArray {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return np.array(Float32Array.from({length: fanIn * fanOut}, () => (2 * random() - 1) * limit)).reshape([fanIn, fanOut]);
}

/** Mean binary cross-entropy of the reconstruction, predictions clipped to [ε, 1 − ε] as tfjs does. */
function loss(p: Params, x: JaxArray): JaxArray {
  let h: JaxArray = x.ref;
  for (let i = 0; i < 4; i++) {
    const z = np.dot(h, p.w[i]!).add(p.b[i]!);
    h = i < 3 ? np.maximum(z, 0) : np.clip(np.reciprocal(np.exp(np.negative(z)).add(1)), EPS, 1 - EPS);
  }
  const bce = x.ref.mul(np.log(h.ref)).add(np.negative(x).add(1).mul(np.log(np.negative(h).add(1))));
  return np.negative(np.mean(bce));
}

export async function jaxBench(steps: number, warm: number): Promise<{ms: number; loss4: number; device: string}> {
  const devices = await init("wasm");
  const split = await mnistSplit({train: 8000, test: 500, seed: 1});
  const random = mulberry32(1);
  let params: Params = {w: [], b: []};
  for (let i = 0; i < 4; i++) {
    params.w.push(glorot(SIZES[i]!, SIZES[i + 1]!, random));
    params.b.push(np.zeros([SIZES[i + 1]!]));
  }
  const zerosLike = (q: Params): Params => ({w: q.w.map((a) => np.zeros(a.shape)), b: q.b.map((a) => np.zeros(a.shape))});
  let m = zerosLike(params), v = zerosLike(params);
  const lr = 1e-3, b1 = 0.9, b2 = 0.999;
  const step = jit((p: Params, mm: Params, vv: Params, x: JaxArray, c1: JaxArray, c2: JaxArray) => {
    const [value, g] = valueAndGrad(loss)(tree.ref(p), x);
    const update = (w: JaxArray, gw: JaxArray, mw: JaxArray, vw: JaxArray, last: boolean) => {
      const m2 = mw.mul(b1).add(gw.ref.mul(1 - b1));
      const v2 = vw.mul(b2).add(gw.ref.mul(gw).mul(1 - b2));
      const mHat = m2.ref.div(last ? c1 : c1.ref), vHat = v2.ref.div(last ? c2 : c2.ref);
      return [w.sub(mHat.mul(lr).div(np.sqrt(vHat).add(EPS))), m2, v2] as const;
    };
    const out: [Params, Params, Params] = [{w: [], b: []}, {w: [], b: []}, {w: [], b: []}];
    for (let i = 0; i < 4; i++) {
      for (const key of ["w", "b"] as const) {
        const [a, b, c] = update(p[key][i]!, g[key][i]!, mm[key][i]!, vv[key][i]!, i === 3 && key === "b");
        out[0][key].push(a);
        out[1][key].push(b);
        out[2][key].push(c);
      }
    }
    return [...out, value] as const;
  });
  const batch = 256, perEpoch = Math.ceil(8000 / batch);
  let loss4 = NaN, began = 0;
  for (let t = 1; t <= warm + steps; t++) {
    if (t === warm + 1) began = performance.now();
    const s = (t - 1) % perEpoch;
    const rows = split.train.images.subarray(s * batch * 784, Math.min(8000, (s + 1) * batch) * 784);
    const x = np.array(rows).reshape([rows.length / 784, 784]);
    const c1 = np.array([1 - b1 ** t]), c2 = np.array([1 - b2 ** t]);
    const [p2, m2, v2, value] = step(params, m, v, x, c1, c2);
    params = p2;
    m = m2;
    v = v2;
    const seen = (await value.data())[0]!; // waits for the step, as tfjs's loss readback does
    if (t === 4) loss4 = seen;
  }
  return {ms: (performance.now() - began) / steps, loss4, device: devices.join(", ")};
}
