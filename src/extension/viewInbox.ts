// What the inspector webview posts, taken in by the host. The webview shows text from the
// user's program, so whatever it posts is untrusted: a message that is not exactly one of the
// protocol's shapes is logged and dropped, and never reaches a handler.
import type { ViewMessage } from '../protocol/messages';
import { checkViewEnvelope } from '../protocol/validate';

export type ViewHandlers = { [K in ViewMessage['type']]: (m: Extract<ViewMessage, { type: K }>) => void };

/** Hands a valid message to its handler; returns whether it was one. */
export function receiveViewMessage(raw: unknown, handlers: ViewHandlers, log: (text: string) => void): boolean {
  const checked = checkViewEnvelope(raw);
  if (!checked.ok) {
    log(`poolscope inspector: ignored a message from the webview: ${checked.error}`);
    return false;
  }
  const m = checked.value.msg;
  (handlers[m.type] as (m: ViewMessage) => void)(m);
  return true;
}
