import type Provider from 'oidc-provider';

interface SavableToken {
  save(...args: unknown[]): Promise<string>;
  keylineValue?: string;
}

interface IssuableIdToken {
  ctx?: { oidc?: { route?: string; entities?: { AccessToken?: SavableToken } } };
  extra: Record<string, unknown>;
  set(key: string, value: unknown): void;
  issue(options?: { use?: string }): Promise<string>;
}

/**
 * OIDC Core makes `at_hash` optional in id_tokens from the token endpoint, and oidc-provider leaves
 * it out there. Keyline includes it so a relying party can bind the id_token to the access token
 * issued beside it. This touches only this provider instance's own model classes.
 */
export function addAtHashAtTokenEndpoint(provider: Provider): void {
  const accessTokenProto = provider.AccessToken.prototype as unknown as SavableToken;
  const save = accessTokenProto.save;
  accessTokenProto.save = async function rememberValue(this: SavableToken, ...args: unknown[]) {
    const value = await save.apply(this, args);
    this.keylineValue = value;
    return value;
  };

  const idTokenProto = provider.IdToken.prototype as unknown as IssuableIdToken;
  const issue = idTokenProto.issue;
  idTokenProto.issue = function issueWithAtHash(this: IssuableIdToken, options?: { use?: string }) {
    const accessToken = this.ctx?.oidc?.entities?.AccessToken?.keylineValue;
    if (options?.use === 'idtoken' && this.ctx?.oidc?.route === 'token' && accessToken && !this.extra.at_hash) {
      this.set('at_hash', accessToken);
    }
    return issue.call(this, options);
  };
}
