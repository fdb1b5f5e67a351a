/**
 * The well-known providers, as data for the generic types (oidc, oauth2): what `--preset` fills in.
 * A preset is never a code path: its values become the upstream's settings, which the operator may
 * override option by option, and the connectors read only the settings.
 *
 * Button wording is each brand's published wording (Google Identity branding guidelines, Microsoft
 * identity platform branding guidelines, Sign in with Apple Human Interface Guidelines, GitHub and
 * GitLab logo usage); the icon is a file Keyline serves itself, so the login page makes no
 * third-party request.
 */
export const PRESET_IDS = ['google', 'microsoft', 'github', 'gitlab', 'apple'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export interface PresetClaims {
  /** The claim that identifies the person at the provider, for ever: never the email. */
  subject: string;
  email: string;
  /**
   * The claim that says the email is verified, or null when the provider asserts nothing usable
   * (then its email never links to a local account by itself).
   */
  emailVerified: string | null;
}

export interface UpstreamPreset {
  id: PresetId;
  type: 'oidc' | 'oauth2';
  /** The default display name of an upstream made from it. */
  name: string;
  /** The brand's own words for its button (English; other languages through the i18n catalogue). */
  buttonLabel: string;
  /** A file under the page kit's federation icons; never a remote URL. */
  icon: string;
  /**
   * Settings for the generic type. `issuer` of an OIDC preset is discovered from; `{tenant}` in
   * an issuer is replaced by the --tenant the operator gives (Microsoft's multi-tenant issuer).
   */
  settings: Record<string, unknown>;
  claims: PresetClaims;
  /** Upstream claim -> Keyline profile field, applied unless the operator maps otherwise. */
  mapping: Record<string, string>;
  /** What the operator must give besides the client id (and a secret, except for Apple). */
  requires: readonly string[];
}

const OIDC_PROFILE_MAPPING = { name: 'name', given_name: 'given_name', family_name: 'family_name', picture: 'picture', locale: 'locale' };

export const PRESETS: Readonly<Record<PresetId, UpstreamPreset>> = {
  google: {
    id: 'google',
    type: 'oidc',
    name: 'Google',
    buttonLabel: 'Sign in with Google',
    icon: 'google.svg',
    settings: { issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] },
    claims: { subject: 'sub', email: 'email', emailVerified: 'email_verified' },
    mapping: OIDC_PROFILE_MAPPING,
    requires: [],
  },
  microsoft: {
    id: 'microsoft',
    type: 'oidc',
    name: 'Microsoft',
    buttonLabel: 'Sign in with Microsoft',
    icon: 'microsoft.svg',
    settings: {
      // Discovery of the multi-tenant endpoint answers an issuer with `{tenantid}` in it; each
      // id_token's `iss` carries its own tenant's id, checked against the template with its `tid`.
      issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
      issuerTemplate: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      tenant: 'organizations',
      scopes: ['openid', 'email', 'profile'],
    },
    // Entra ID's `email` is not verified by Microsoft (any tenant can set it): it never links by itself.
    claims: { subject: 'oid', email: 'email', emailVerified: null },
    mapping: { name: 'name', given_name: 'given_name', family_name: 'family_name', preferred_username: 'preferred_username' },
    requires: [],
  },
  github: {
    id: 'github',
    type: 'oauth2',
    name: 'GitHub',
    buttonLabel: 'Sign in with GitHub',
    icon: 'github.svg',
    settings: {
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
      userinfoEndpoint: 'https://api.github.com/user',
      // The profile's email may be unverified or hidden; the verified primary one comes from here.
      emailsEndpoint: 'https://api.github.com/user/emails',
      scopes: ['read:user', 'user:email'],
    },
    claims: { subject: 'id', email: 'email', emailVerified: 'verified' },
    mapping: { name: 'name', login: 'preferred_username', avatar_url: 'picture', html_url: 'profile' },
    requires: [],
  },
  gitlab: {
    id: 'gitlab',
    type: 'oidc',
    name: 'GitLab',
    buttonLabel: 'Sign in with GitLab',
    icon: 'gitlab.svg',
    settings: { issuer: 'https://gitlab.com', scopes: ['openid', 'email', 'profile'] },
    claims: { subject: 'sub', email: 'email', emailVerified: 'email_verified' },
    mapping: { ...OIDC_PROFILE_MAPPING, nickname: 'preferred_username' },
    requires: [],
  },
  apple: {
    id: 'apple',
    type: 'oidc',
    name: 'Apple',
    buttonLabel: 'Sign in with Apple',
    icon: 'apple.svg',
    settings: {
      issuer: 'https://appleid.apple.com',
      scopes: ['openid', 'email', 'name'],
      // Apple posts the answer back when name or email is asked for.
      responseMode: 'form_post',
      // The client secret is a JWT Keyline signs with the operator's key (--apple-team-id/-key-id/-private-key).
      authMethod: 'apple_client_secret_jwt',
    },
    // Apple sends email_verified as true or "true".
    claims: { subject: 'sub', email: 'email', emailVerified: 'email_verified' },
    mapping: {},
    requires: ['appleTeamId', 'appleKeyId', 'privateKey'],
  },
};

export function isPresetId(value: string): value is PresetId {
  return (PRESET_IDS as readonly string[]).includes(value);
}
