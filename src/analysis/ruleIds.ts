// Every rule once: its id and the one line that says what it reports. The analysis runs the
// rules in this order; the extension's settings and the `poolscope.findings` schema in
// package.json list them from here (a unit test holds the manifest to this list).
export const RULES = {
  deadlock: 'main waits on something that can never happen',
  'worker-crashed': 'a worker thread or process died while the pool still needed it; the task it was running is lost',
  'pool-broken': 'the pool broke (an initializer failed, or it became unusable) and later work could not run',
  'initializer-respawn': 'an initializer kept failing and the pool kept replacing its dead workers, so none of its tasks runs',
  'callback-threw': "a callback threw (the pool's result handler swallows or dies on it)",
  'unhandled-rejection': 'a task left a promise rejection that nothing handled, so its error went unseen',
  'handle-leaked': 'a task left a timer or thread running in its worker after it returned; the pool ended it with the worker',
  'class-lost': 'a class instance crossed to or from a worker and arrived as a plain object: its class, #private fields and getters are gone',
  'callback-blocked': 'a callback held the callback thread past the blocking threshold, so results waited behind it',
  'main-blocked': "main's event loop was blocked while results were ready",
  'gil-bound': "a Python thread pool's workers ran CPU-bound tasks side by side on one core's worth of CPU (the GIL): a process pool would run them in parallel",
  'errors-unseen': 'errors happened while no error callback or `get()` would show them',
  'error-unretrieved': 'a task failed and nobody ever looked at its error',
  'pool-not-closed': 'a pool was never closed or joined',
} as const satisfies Record<string, string>;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];
