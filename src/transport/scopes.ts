// Several independent scopes in one process, opened and closed at run time by
// name, as udp_broadcast_initialize/2 and udp_broadcast_close/1 do.
import type { ScopeOptions, UnicastOptions } from './scope.js';
import { DEFAULT_SCOPE } from './scope.js';
import type { Transport, TransportConfig, UnicastTransport } from './types.js';
import { openScope } from './udp-transport.js';

export class Scopes {
  private readonly open = new Map<string, Transport>();

  /** Open a scope; an open scope of the same name is closed first (as SWI re-initializes). */
  async init(options: UnicastOptions, config?: TransportConfig): Promise<UnicastTransport>;
  async init(options: ScopeOptions, config?: TransportConfig): Promise<Transport>;
  async init(options: ScopeOptions, config: TransportConfig = {}): Promise<Transport> {
    const name = options.scope ?? DEFAULT_SCOPE;
    await this.close(name);
    const t = await openScope(options, config);
    this.open.set(name, t);
    return t;
  }

  get(name: string): Transport | undefined {
    return this.open.get(name);
  }

  names(): string[] {
    return [...this.open.keys()];
  }

  async close(name: string): Promise<void> {
    const t = this.open.get(name);
    if (t === undefined) return;
    this.open.delete(name);
    await t.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.names().map((n) => this.close(n)));
  }
}
