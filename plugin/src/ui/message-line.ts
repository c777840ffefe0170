// The one line under the header where the panel tells the editor what happened or what to do
// next. Every part of the panel speaks through it, so there is only ever one current message.
import { el } from './dom';

export type Tone = 'info' | 'warn' | 'error' | 'success';

export class MessageLine {
  readonly root: HTMLElement = el('div', { className: 'message', role: 'status', 'data-testid': 'message' });

  say(text: string, tone: Tone = 'info'): void {
    this.root.textContent = text;
    this.root.className = `message message-${tone}`;
  }
}
