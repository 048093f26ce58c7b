/** The shared controller core: watch → cache → queue(key) → reconcile(key), plus process plumbing. */
export type {
  ControllerSpec,
  Informer,
  InformerEvent,
  KeyedWorkQueue,
  Logger,
  ReconcileResult,
  Reconciler,
  RuntimeContext,
  WatchTarget,
  WorkQueue,
} from './types.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { MAX_TIMER_MS, sleep, systemClock, type Clock, type TimerHandle } from './clock.js';
export { ManualClock, flushPromises } from './manual-clock.js';
export { createLogger, isSecretName, MASK, nullLogger, parseLogLevel, redact, type LoggerOptions, type LogLevel } from './log.js';
export { createInformer, objectKey, type InformerOptions, type ListWatchInformer } from './informer.js';
export { SharedInformers, targetKey } from './shared-informers.js';
export { forEachLimit } from './limit.js';
export { OwnWrites } from './own-writes.js';
export { createWorkQueue, type WorkQueueOptions } from './queue.js';
export { TerminalError } from './types.js';
export { Controller, Manager, type ControllerOptions, type KeysFn, type ManagerOptions } from './controller.js';
export {
  LeaderElector,
  microTime,
  type ElectionOutcome,
  type LeaderElectionOptions,
} from './leader.js';
export { startHealthServer, type HealthCheck, type HealthServer, type HealthServerOptions } from './health.js';
export {
  findCondition,
  hasCondition,
  isFalse,
  isTrue,
  metaTime,
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInput,
  type ConditionStatus,
  type ConditionUpdate,
} from './conditions.js';
export {
  addFinalizer,
  applyMergePatch,
  deepEqual,
  guardedMergePatch,
  objectRef,
  patchStatus,
  preconditions,
  removeFinalizer,
  retryOnConflict,
  statusWouldChange,
  updateWithRetry,
  type RetryOptions,
  type TargetRef,
} from './patch.js';
export {
  refreshTimeMs,
  startTokenRefresher,
  tokenClaims,
  writeKubeconfigToken,
  type TokenClaims,
  type TokenRefresher,
  type TokenRefresherOptions,
} from './token-refresh.js';
export * from './signals.js';
