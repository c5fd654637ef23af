import { analyze, type AnalysisOptions, type Finding, type RuleId } from '../../../src/analysis/index';
import type { Span } from '../../../src/trace/model';
import type { TraceStore } from '../../../src/trace/store';
import { allSpans } from '../../storeSpans';

/** A modelled run: a RunBuilder, or a scenario built from records. */
type Run = { store: TraceStore };

/** The findings of one rule for a modelled run. */
export function findings(run: Run, rule: RuleId, opts?: AnalysisOptions): Finding[] {
  return analyze(run.store, opts).filter((f) => f.rule === rule);
}

/** Span indices of the spans matching a predicate, for comparing with Finding.spans. */
export function spanIndices(run: Run, pick: (s: Span) => boolean): number[] {
  return allSpans(run.store)
    .filter(pick)
    .map((s) => s.index);
}
