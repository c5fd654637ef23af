// The contract between the analysis and its consumers (Problems panel, webview markers, CLI).
import type { Site } from '../trace/model';
import type { RuleId } from './ruleIds';

export type { RuleId };
export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  message: string;
  site?: Site;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  message: string;
  site?: Site;
  related: RelatedInfo[];
  /** span indices in the store, for the inspector to mark */
  spans: number[];
}

export interface AnalysisOptions {
  /** how long a callback or main's event loop may hold results back before it is reported (default 100) */
  blockThresholdMs?: number;
}

/** Options as the rules see them: thresholds already in µs. */
export interface RuleOptions {
  thresholdUs: number;
}

/**
 * What a rule may yield between its own steps: the editor's analysis hands its event loop back
 * there (a rule over a million jobs takes longer than the editor may be held).
 */
export const PAUSE: unique symbol = Symbol('pause');
export type RuleOutput = Iterable<Finding | typeof PAUSE>;
