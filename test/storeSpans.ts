// Every span of a store as objects, read the way the analysis and the CLI read them: by index,
// up to spanCount.
import type { Span } from '../src/trace/model';
import type { TraceStore } from '../src/trace/store';

export function allSpans(store: TraceStore): Span[] {
  return Array.from({ length: store.spanCount }, (_, i) => store.span(i));
}
