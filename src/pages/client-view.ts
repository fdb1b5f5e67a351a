/** What the pages show of a client: only what an administrator registered for it. */
export interface ClientView {
  id: string;
  name: string;
  logoUri?: string;
  homeUri?: string;
  policyUri?: string;
  tosUri?: string;
}

interface ClientLike {
  clientId: string;
  clientName?: string;
  logoUri?: string;
  clientUri?: string;
  policyUri?: string;
  tosUri?: string;
}

export function clientView(client: ClientLike | undefined): ClientView | undefined {
  if (!client) return undefined;
  return {
    id: client.clientId,
    name: client.clientName ?? client.clientId,
    logoUri: client.logoUri,
    homeUri: client.clientUri,
    policyUri: client.policyUri,
    tosUri: client.tosUri,
  };
}

/** The https origin of a client's logo, which the page's CSP must allow. */
export function logoOrigins(client: ClientView | undefined): string[] {
  return client?.logoUri && URL.canParse(client.logoUri) ? [new URL(client.logoUri).origin] : [];
}
