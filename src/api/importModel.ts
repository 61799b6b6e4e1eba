/**
 * Convert a model saved by the ml-random-forest npm package (rf.toJSON()) into an mlv
 * model file.
 * @example
 *   await importMlRandomForestFile('rf.json', 'model.json', { cwd, featuresFrom: 'train.csv', target: 'y' });
 */
export { importMlRandomForestFile } from '../ml/models/importMlRandomForest.js';
