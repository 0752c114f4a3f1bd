// Lesson 2 (matmul-shapes): a network is a chain of matrix products; its shapes, its parameter
// count, one forward pass computed two ways, and a 784-128-10 classifier trained live.
export {parseShape, parseChain, chainShapes, formatShape, layerShapes, parseWidths, checkWidths, type Shape, type ChainStep, type ChainResult} from "./matmul/shapes.js";
export {parameterCounts, networksWithParameters, type LayerCount} from "./matmul/parameters.js";
export {randomWeights, forwardByMatMul, denseModel, forwardByLayers, compareForwards, collapseLinear, randomInput, type DenseWeights, type DenseActivation, type ForwardComparison} from "./matmul/forward.js";
export {digitClassifier, classificationAccuracy, confusionMatrix} from "./matmul/classifier.js";
export {digitPredictions} from "./matmul/digits.js";
export {heldBackDigits, denseWeightsFrom, type HeldBackOptions} from "./matmul/test-set.js";
