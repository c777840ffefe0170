// The panel's header (name, host, connection status) and the "Companion server" card where the
// editor types the server's address and token. Display only: ServerConnection does the pairing,
// so this file is only about what the editor sees of it.
import type { ConnectionState } from '../client/server-client';
import { DEFAULT_ADDRESS } from '../client/server-address';
import { button, el, field } from './dom';
import type { Tone } from './message-line';

const STATUS_TEXT: Record<ConnectionState['status'], string> = {
  idle: 'Not paired',
  connecting: 'Connecting…',
  connected: 'Connected',
  waiting: 'Reconnecting…',
  unauthorized: 'Token refused',
  incompatible: 'Incompatible server',
};

/** What to tell the editor about a new connection state. */
export interface ConnectionNotice {
  text: string;
  tone: Tone;
}

export class ConnectionView {
  readonly header: HTMLElement;
  readonly pairing: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly address: HTMLInputElement;
  private readonly token: HTMLInputElement;

  constructor(hostName: string, onPair: () => void) {
    this.statusText = el('span', { className: 'status-text', 'data-testid': 'connection' }, ['Not paired']);
    this.status = el('div', { className: 'status status-idle' }, [
      el('span', { className: 'dot' }),
      this.statusText,
    ]);
    this.header = el('header', { className: 'panel-header' }, [
      el('h1', {}, ['OneShot Roto']),
      el('span', { className: 'host-name' }, [hostName]),
      this.status,
    ]);
    this.address = el('input', {
      type: 'text',
      value: `${DEFAULT_ADDRESS.host}:${DEFAULT_ADDRESS.port}`,
      'data-testid': 'address',
    });
    this.token = el('input', {
      type: 'password',
      placeholder: 'token printed by "oneshot-roto serve"',
      'data-testid': 'token',
      autocomplete: 'off',
    });
    this.pairing = el('section', { className: 'card pairing' }, [
      el('h2', {}, ['Companion server']),
      field('Address', this.address),
      field('Token', this.token, 'Start the server with "oneshot-roto serve"; it prints the token once.'),
      el('div', { className: 'row' }, [button('Pair', onPair, { variant: 'primary', testId: 'pair' })]),
    ]);
  }

  /** The address as typed ("host:port"); ServerConnection parses it. */
  get addressText(): string {
    return this.address.value;
  }

  get tokenText(): string {
    return this.token.value.trim();
  }

  /** Fills in the token saved by an earlier session. */
  set tokenText(token: string) {
    this.token.value = token;
  }

  /**
   * Shows the state in the header; the pairing card folds away while connected. Returns what to
   * tell the editor, if anything (connecting needs no words).
   */
  show(state: ConnectionState): ConnectionNotice | undefined {
    this.status.className = `status status-${state.status}`;
    this.statusText.textContent = STATUS_TEXT[state.status];
    if (state.status === 'connected') {
      this.statusText.title = `server ${state.serverVersion}, ${state.executionProvider}`;
      this.pairing.classList.add('collapsed');
      return {
        text: `Connected to the companion server (${state.serverVersion}, ${state.executionProvider}).`,
        tone: 'info',
      };
    }
    this.pairing.classList.remove('collapsed');
    if (state.status === 'waiting')
      return {
        text: `Server unreachable (${state.reason}); retrying in ${Math.round(state.retryInMs / 100) / 10} s.`,
        tone: 'warn',
      };
    if (state.status === 'unauthorized' || state.status === 'incompatible')
      return { text: state.message, tone: 'error' };
    return undefined;
  }
}
