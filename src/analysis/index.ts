// The analysis: pure functions from a trace to findings, one rule per file in rules/.
// The same findings feed the Problems panel, the webview markers and the command line.
import type { TraceStore } from '../trace/store';
import { TraceIndex } from './traceIndex';
import { PAUSE, type AnalysisOptions, type Finding, type RuleOptions, type RuleOutput, type Severity } from './types';
import { RULE_IDS, type RuleId } from './ruleIds';
import { callbackBlocked } from './rules/callback-blocked';
import { callbackThrew } from './rules/callback-threw';
import { deadlock } from './rules/deadlock';
import { errorUnretrieved } from './rules/error-unretrieved';
import { errorsUnseen } from './rules/errors-unseen';
import { mainBlocked } from './rules/main-blocked';
import { gilBound } from './rules/gil-bound';
import { poolBroken } from './rules/pool-broken';
import { poolNotClosed } from './rules/pool-not-closed';
import { workerCrashed } from './rules/worker-crashed';
import { initializerRespawn } from './rules/initializer-respawn';
import { unhandledRejection } from './rules/unhandled-rejection';
import { handleLeaked } from './rules/handle-leaked';
import { classLost } from './rules/class-lost';

export type { AnalysisOptions, Finding, RelatedInfo, RuleId, Severity } from './types';

const RULES: Record<RuleId, (t: TraceIndex, o: RuleOptions) => RuleOutput> = {
  deadlock,
  'worker-crashed': workerCrashed,
  'pool-broken': poolBroken,
  'initializer-respawn': initializerRespawn,
  'callback-threw': callbackThrew,
  'unhandled-rejection': unhandledRejection,
  'handle-leaked': handleLeaked,
  'class-lost': classLost,
  'callback-blocked': callbackBlocked,
  'main-blocked': mainBlocked,
  'gil-bound': gilBound,
  'errors-unseen': errorsUnseen,
  'error-unretrieved': errorUnretrieved,
  'pool-not-closed': poolNotClosed,
};
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Every finding of the trace, errors first; within a severity, in rule order (ruleIds.ts) then trace order. */
export function analyze(store: TraceStore, opts: AnalysisOptions = {}): Finding[] {
  const steps = analysisSteps(store, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same, handing control back between its steps (the index, then each rule): an editor
 * that analyses a million-task run must keep its event loop turning meanwhile.
 */
export async function analyzeYielding(store: TraceStore, opts: AnalysisOptions = {}): Promise<Finding[]> {
  const steps = analysisSteps(store, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function* analysisSteps(store: TraceStore, opts: AnalysisOptions): Generator<void, Finding[]> {
  // The index is a step of its own, apart from whatever closed the run in the same turn.
  yield;
  const t = new TraceIndex(store);
  const o: RuleOptions = { thresholdUs: (opts.blockThresholdMs ?? 100) * 1000 };
  const found: Finding[] = [];
  for (const id of RULE_IDS) {
    yield;
    for (const f of RULES[id](t, o)) {
      if (f === PAUSE) yield;
      else found.push(f);
    }
  }
  return found.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
