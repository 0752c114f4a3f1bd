// Lesson 5 (latent-bias): an autoencoder trained on a deliberately unbalanced digit set; every
// digit's reconstruction error against its share, and the matmul-shapes classifier as the judge.
export {trainingMix, mixData, formatShare, TRAIN_DIGITS, TEST_DIGITS, SPLIT_SEED, SWEEP_SHARES} from "./latent-bias/mix.js";
export {classify} from "./latent-bias/judge.js";
export {measureMix, commonestMisreading, type MixResult} from "./latent-bias/measure.js";
export {biasAutoencoder, trainJudge, biasSweep, type Judge, type SweepOptions, type SweepProgress} from "./latent-bias/sweep.js";
