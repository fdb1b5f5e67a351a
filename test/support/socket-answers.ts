import type { Socket } from 'node:net';

/** Everything the server sent on this socket until it closed it. */
export function answerOf(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk) => { received += chunk; });
  return new Promise((resolve) => socket.on('close', () => resolve(received)));
}

/** Resolves when the readable has carried text matching `pattern` (from now on). */
export function seen(readable: NodeJS.ReadableStream, pattern: RegExp): Promise<void> {
  let text = '';
  return new Promise((resolve) => {
    const look = (chunk: Buffer | string) => {
      text += chunk;
      if (!pattern.test(text)) return;
      readable.off('data', look);
      resolve();
    };
    readable.on('data', look);
  });
}
