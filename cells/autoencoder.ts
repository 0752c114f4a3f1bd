// Lesson 4 (autoencoder): the slides' dense digit autoencoder, its errors and floors, decoding a
// point of the latent plane, and the pictures.
export {autoencoder, autoencoderParams, OUTPUT_CHOICES, SLIDE_MODELS, type OutputChoice, type AutoencoderOptions} from "./autoencoder/model.js";
export {mse, bce, meanImage, floors, reconstructionErrors, perClassMse, nearestCentroidAccuracy, BCE_EPSILON, type Floors} from "./autoencoder/metrics.js";
export {decode} from "./autoencoder/decoder.js";
export {digitCanvas, reconstructionGrid, latentPicker, type LatentPicker} from "./autoencoder/views.js";
