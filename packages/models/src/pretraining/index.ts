export {
  type CodeEncoder,
  codeOf,
  encoderVariables,
  LabelClassifier,
  type LabelClassifierConfig,
  type LabelClassifierOptions,
} from './classifier';
export {
  balancedLabelSubset,
  classCount,
  type SemiSupervisedSource,
  type SemiSupervisedSourceOptions,
  semiSupervisedSource,
  subsetSource,
} from './labels';
export {
  type ClassifierTrainingOptions,
  compareLabelBudgets,
  copyModel,
  fineTune,
  LABEL_BUDGET_METHODS,
  type LabelBudgetMethod,
  type LabelBudgetOptions,
  type LabelBudgetResult,
  pretrain,
  probe,
  summarizeLabelBudgets,
  trainFromScratch,
} from './pretraining';
