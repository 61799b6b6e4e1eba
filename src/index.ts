/**
 * mlv as a library: every public verb, its option and result types, and the error
 * classes. Each verb takes an options object with `cwd` (where relative paths start) and
 * works on the mlv repository around it, as the `mlv` command does.
 * @example
 *   import { add, reproduce, status } from 'mlv';
 *   await add({ cwd: '/work/project', paths: ['data/raw.csv'] });
 *   const { ran } = await reproduce({ cwd: '/work/project' });
 */

// Errors: every failure is one of these, with a stable `code`, `data` and `exitCode`.
export { CheckFailedError, ConflictError, CorruptObjectError, EnvironmentError, GitError, InputError, MlvError, NotFoundError, QueueUnavailableError, UnsafePathError, UsageError } from './errors/index.js';
export type { RepoOptions } from './repo/Repo.js';
export type { LockHolder, OnLockWait } from './repo/lock.js';
export type { OnProgress } from './progress.js';
export { VERSION } from './version.js';

// Data versioning.
export { init, type InitOptions, type InitResult } from './api/init.js';
export { add, type AddOptions, type AddedPath } from './api/add.js';
export { status, type StatusResult, type StatusRow } from './api/status.js';
export { checkout, type CheckoutOptions, type CheckoutResult } from './api/checkout.js';
export { get, type GetOptions, type GetResult } from './api/get.js';
export { diff, type DiffOptions, type DiffResult } from './api/diff.js';
export { gc, type GcOptions, type GcResult } from './api/gc.js';
export { fsck, type FsckProblem, type FsckResult } from './api/fsck.js';
export { installHooks, type InstallHooksOptions } from './api/installHooks.js';
export { importDvc, type ImportDvcOptions, type ImportDvcResult } from './api/importDvc.js';
export { mergeDriver, type MergeDriverOptions, type MergeDriverResult } from './api/mergeDriver.js';

// Remotes.
export { remoteAdd, remoteDefault, remoteList, remoteRemove, type RemoteAddOptions } from './api/remote.js';
export { remoteStatus, type RemoteStatusResult, type RemoteStatusRow } from './api/remoteStatus.js';
export { push, type PushOptions, type PushResult } from './api/push.js';
export { pull, type PullOptions, type PullResult } from './api/pull.js';

// Pipelines: `reproduce` is `repro` under its library name.
export { repro, repro as reproduce, reproRev, StageFailedError, type ReproOptions, type ReproRevOptions, type ReproduceResult, type StageEvent, type VerifyResult } from './api/repro.js';
export { paramsDiff, type ParamsDiffOptions, type ParamsDiffResult } from './api/params.js';
export { metricsDiff, metricsShow, type MetricsDiffResult, type MetricsShowResult } from './api/metrics.js';

// Experiments.
export { expRun, type ExpEvent, type ExpResult, type ExpRunOptions, type ExpRunResult } from './api/expRun.js';
export { expShow, type ExpShowOptions, type ExpShowResult, type ExpShowRow } from './api/expShow.js';
export { expDiff, type ExpDiffOptions, type ExpDiffResult } from './api/expDiff.js';
export { expBest, type ExpBestOptions, type ExpBestResult } from './api/expBest.js';
export { expApply, type ExpApplyOptions, type ExpApplyResult } from './api/expApply.js';
export { expBranch, type ExpBranchOptions } from './api/expBranch.js';
export { expRemove, type ExpRemoveOptions } from './api/expRemove.js';
export { expPush, type ExpPushOptions, type ExpPushResult } from './api/expPush.js';
export { expPull, type ExpPullOptions, type ExpPullResult } from './api/expPull.js';
export { expSearch, type ExpSearchOptions, type ExpSearchResult, type Trial } from './api/expSearch.js';
export { openVersionSource, type SourceOptions } from './api/versionSource.js';
export type { VersionDetail, VersionDiff, VersionRow, VersionSource } from './compare/types.js';

// Documentation of a version.
export { report, type ReportFormat, type ReportOptions, type ReportResult } from './api/report.js';
export type { Report } from './report/model.js';

// Sweeps on several machines: the experiment queue (Redis, BullMQ).
export { queueSubmit, type QueueSubmitOptions, type QueueSubmitResult, type QueuedJob } from './api/queueSubmit.js';
export { queueWait, type QueueWaitOptions } from './api/queueWait.js';
export { queueWorker, type QueueWorkerOptions, type QueueWorkerResult, type WorkerEvent } from './api/queueWorker.js';
export { queueStatus, type QueueJobRow, type QueueStatusOptions, type QueueStatusResult } from './api/queueStatus.js';
export { queueLogs, type QueueLogsOptions, type QueueLogsResult } from './api/queueLogs.js';
export { queueCancel, type QueueCancelOptions, type QueueCancelResult } from './api/queueCancel.js';
export { queueRetry, type QueueRetryOptions, type QueueRetryResult } from './api/queueRetry.js';

// Machine learning on CSV files.
export { explore, type ColumnReport, type ExploreOptions, type ExploreReport } from './api/explore.js';
export { split, type SplitOptions, type SplitReport, type SplitSide } from './api/split.js';
export { featurize, type FeaturizeOptions, type FeaturizeResult } from './api/featurize.js';
export { algorithms, train, type Algorithm, type Params, type Task, type TrainFileResult, type TrainOptions } from './api/train.js';
export { predict, type PredictOptions, type PredictResult } from './api/predict.js';
export { evaluate, type ClassificationMetrics, type EvaluateOptions, type EvaluateResult, type EvaluateTask, type RegressionMetrics } from './api/evaluate.js';
export { importMlRandomForestFile } from './api/importModel.js';
