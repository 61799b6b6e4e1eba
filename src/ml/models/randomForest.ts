/**
 * `random_forest`: scikit-learn's RandomForestClassifier / RandomForestRegressor, trees
 * grown by cart.ts (forest.ts runs them in worker threads).
 */
import { defineAlgorithm } from './algorithm.js';
import { TREE_PARAMS, treeTrainer } from './forest.js';
import { BOOLEAN, interval } from './params.js';
import { loadTrees } from './treeModel.js';

export const randomForest = defineAlgorithm({
  name: 'random_forest',
  title: 'random forest',
  tasks: ['classification', 'regression'],
  params: {
    n_estimators: { default: 100, constraints: [interval('integer', 1, null, 'left')] },
    ...TREE_PARAMS,
    bootstrap: { default: true, constraints: [BOOLEAN] },
    // scikit-learn 1.2: sqrt for classifiers, all features (1.0) for regressors.
    max_features: { ...TREE_PARAMS.max_features, default: (task) => (task === 'classification' ? 'sqrt' : null) },
  },
  trainer: (data, params) => treeTrainer(data, params, { nTrees: params.n_estimators as number, bootstrap: params.bootstrap as boolean }),
  load: loadTrees,
  search: {
    grid: ['n_estimators=25,75', 'max_depth=4,8,null'],
    random: ['n_estimators=range(10,150)', 'max_depth=range(2,16)', 'min_samples_leaf=range(1,10)', 'max_features=sqrt,log2,null'],
  },
});
