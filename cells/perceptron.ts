// Lesson 1 (perceptron): one neuron, a layer of neurons, and SGD that fits them, on the (x1, x2) plane.
export {ACTIVATIONS, activationOf, type Activation, type ActivationName} from "./perceptron/activation.js";
export {initNetwork, neuron, applyActivation, forward, forwardPoint, kernelOf, countParameters, sizesOf, type Layer, type Network} from "./perceptron/network.js";
export {blobs, xorData, xorTruthTable, accuracy, bestLinearAccuracy, type PlaneData} from "./perceptron/data.js";
export {trainNetwork, type TrainOptions, type TrainSnapshot} from "./perceptron/train.js";
export {trainLive, fitToSliders, setInput, type LiveState, type LiveOptions} from "./perceptron/live.js";
export {modelOf, networkFrom, measure} from "./perceptron/harness.js";
export {planeGrid, planePlot, boundarySegment, activationPlot, historyPlot, EXTENT} from "./perceptron/plots.js";
