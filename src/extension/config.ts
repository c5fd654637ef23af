// The extension's settings, read in one place with their types and defaults. The schema
// (scope, markdown description) is in package.json `contributes.configuration`.
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import { RULE_IDS, type RuleId } from '../analysis/ruleIds';

export interface PoolscopeConfig {
  /** size of pools created without one; already resolved (never 0) */
  workers: number;
  blockThresholdMs: number;
  /** 0 = no limit */
  runTimeoutMs: number;
  openInspectorOnRun: boolean;
  /** the most spans a run keeps in memory (Infinity: no limit); the tasks past them are counted */
  keepSpans: number;
  /** the rules whose findings become diagnostics */
  shownRules: ReadonlySet<RuleId>;
}

/** Keeps the extension host's memory bounded on a run of millions of tasks (about 130 B a task kept, see bench/RESULTS.md). */
const DEFAULT_KEEP_SPANS = 100_000;

const nonNegative = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback);

/** The settings that apply to `resource` (a run's file), so folder settings win over user settings. */
export function readConfig(resource?: vscode.Uri): PoolscopeConfig {
  const c = vscode.workspace.getConfiguration('poolscope', resource);
  const workers = Math.floor(nonNegative(c.get('workers'), 0));
  const findings = c.get<Record<string, unknown>>('findings') ?? {};
  return {
    workers: workers === 0 ? availableParallelism() : workers,
    blockThresholdMs: nonNegative(c.get('blockThresholdMs'), 100),
    runTimeoutMs: nonNegative(c.get('runTimeoutMs'), 0),
    openInspectorOnRun: c.get<boolean>('openInspectorOnRun') ?? true,
    keepSpans: Math.floor(nonNegative(c.get('keepSpans'), DEFAULT_KEEP_SPANS)) || Infinity,
    shownRules: new Set(RULE_IDS.filter((r) => findings[r] !== false)),
  };
}
