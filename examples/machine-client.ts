// A backend service that gets an access token with client credentials and calls an API with it.
//   CLIENT_ID=... CLIENT_SECRET=... SCOPE=orders:read API_URL=http://127.0.0.1:4000 npx node examples/machine-client.ts
// (`npx node` runs the project's Node 24; the README's machine-to-machine walkthrough registers the client.)
export async function clientCredentialsToken(issuer: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as { token_endpoint: string };
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  const body = await response.json() as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`token request failed: ${body.error}: ${body.error_description ?? ''}`);
  return body.access_token;
}

if (import.meta.main) {
  const token = await clientCredentialsToken(
    process.env.KEYLINE_ISSUER ?? 'http://localhost:3000', process.env.CLIENT_ID ?? '', process.env.CLIENT_SECRET ?? '', process.env.SCOPE,
  );
  const api = await fetch(process.env.API_URL ?? 'http://127.0.0.1:4000', { headers: { authorization: `Bearer ${token}` } });
  console.log(api.status, await api.text());
}
