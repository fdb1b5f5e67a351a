import type { Clients } from '../store/store.ts';

/** The client `npm run example` registers (examples/run-example.ts names it so). */
export const EXAMPLE_CLIENT_NAME = 'Login with Keyline example';

const LOOPBACK_HOME = /^http:\/\/(localhost|127\.0\.0\.1):\d+\/$/;

/**
 * Where the running example app is, for the start page's getting-started panel: the home page of
 * the example's client. run-example.ts sets it to the port it serves on and clears it when it stops,
 * so Keyline learns the port from the registration it already keeps. Only a loopback address is
 * shown, so no registration can put an outside link on the start page.
 */
export async function exampleAppAddress(clients: Clients): Promise<string | undefined> {
  return (await clients.list())
    .filter((client) => client.metadata.client_name === EXAMPLE_CLIENT_NAME)
    .map((client) => client.metadata.client_uri)
    .find((home): home is string => typeof home === 'string' && LOOPBACK_HOME.test(home));
}
