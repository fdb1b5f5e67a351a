import { MongoNetworkError } from 'mongodb';
import { Connection } from 'mongodb/lib/cmap/connection.js';

const patched = Symbol.for('keyline.mongodb.failWritesOnClosedSockets');

/**
 * Corrects a hang in the MongoDB driver (7.9, `Connection.writeCommand`, unchanged upstream): when
 * `socket.write` returns false the driver waits for 'drain' or 'error' and nothing else. A socket
 * the server has already closed (FIN received and the socket destroyed, its 'close' not yet
 * delivered or delivered just before the write) refuses the write without either event, and
 * socketTimeoutMS cannot help (Node arms no timer on a destroyed socket; the connection's own
 * close handling fails only a pending read). The command then never settles:
 *  - on the monitor's connection, the heartbeat never ends, the server stays Unknown and every
 *    operation fails server selection for good (FerretDB sends no topologyVersion, so pool
 *    errors never reset the monitor): after a store restart Keyline never came back;
 *  - on a pooled connection, that request waits forever and holds its connection.
 * Here a write to a closed connection fails at once, and a wait for 'drain' also ends when the
 * socket closes, both as the network error the driver already handles (server marked Unknown,
 * pool cleared, heartbeat retried).
 */
export function failWritesOnClosedSockets(): void {
  const prototype = Connection.prototype as Connection & { [patched]?: true };
  if (prototype[patched]) return;
  const write = prototype.writeCommand;
  if (typeof write !== 'function' || !('onError' in prototype)) {
    throw new Error('the MongoDB driver no longer has Connection.writeCommand/onError: review store/mongo/mongo-writes-on-closed-sockets.ts');
  }
  prototype.writeCommand = function writeCommand(this: Connection, command: unknown, options: unknown): Promise<void> {
    const { socket } = this;
    const closedError = () => this.error ?? new MongoNetworkError(`connection ${this.id} to ${this.address} closed`);
    if (this.closed || socket.destroyed || socket.writableEnded) {
      const error = closedError();
      this.onError(error);
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const onClose = () => reject(closedError());
      socket.once('close', onClose);
      write.call(this, command, options).then(resolve, reject).finally(() => socket.off('close', onClose));
    });
  };
  prototype[patched] = true;
}
