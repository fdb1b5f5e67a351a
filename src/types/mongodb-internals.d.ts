/** The one MongoDB driver internal Keyline corrects (see store/mongo/mongo-writes-on-closed-sockets.ts). */
declare module 'mongodb/lib/cmap/connection.js' {
  import type { Socket } from 'node:net';
  export class Connection {
    id: number | '<monitor>';
    address: string;
    closed: boolean;
    error: Error | null;
    socket: Socket;
    onError(error: Error): void;
    writeCommand(command: unknown, options: unknown): Promise<void>;
  }
}
