/**
 * `decision_tree`: scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor, a
 * forest of one tree without bootstrap.
 */
import { defineAlgorithm } from './algorithm.js';
import { TREE_PARAMS, treeTrainer } from './forest.js';
import { loadTrees } from './treeModel.js';

export const decisionTree = defineAlgorithm({
  name: 'decision_tree',
  title: 'decision tree',
  tasks: ['classification', 'regression'],
  params: TREE_PARAMS,
  trainer: (data, params) => treeTrainer(data, params, { nTrees: 1, bootstrap: false }),
  load: loadTrees,
  search: {
    grid: ['max_depth=2,4,8,null', 'min_samples_leaf=1,5'],
    random: ['max_depth=range(1,20)', 'min_samples_leaf=range(1,20)', 'min_samples_split=range(2,20)'],
  },
});
