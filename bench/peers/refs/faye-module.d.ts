/**
 * The little of Faye's server API the reference uses (the package ships no
 * types): a Node adapter mounted on an http.Server, an extension on incoming
 * messages, and the in-process client that publishes.
 */
declare module 'faye' {
  import type { Server } from 'node:http';

  export interface BayeuxMessage {
    channel: string;
    clientId?: string;
    data?: unknown;
    id?: string;
    error?: string;
  }

  export interface Extension {
    incoming?(message: BayeuxMessage, callback: (message: BayeuxMessage) => void): void;
    outgoing?(message: BayeuxMessage, callback: (message: BayeuxMessage) => void): void;
  }

  export interface Publication {
    then(onFulfilled: () => void, onRejected?: (error: unknown) => void): unknown;
  }

  export class NodeAdapter {
    constructor(options: { mount: string; timeout?: number; ping?: number });
    attach(server: Server): void;
    addExtension(extension: Extension): void;
    getClient(): { publish(channel: string, data: unknown): Publication };
    close(): void;
  }

  const faye: { NodeAdapter: typeof NodeAdapter };
  export default faye;
}
