import type { JWK } from 'jose';
import { signJwt } from '../../keys/sign-jwt.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long a logout token is good for once signed; each delivery attempt signs afresh. */
const LOGOUT_TOKEN_SECONDS = 120;

export interface LogoutTokenClaims {
  issuer: string;
  clientId: string;
  sub: string;
  /** The session id the client's id_token carried; absent when the ending concerns every session of `sub`. */
  sid?: string;
  /** Kept from the first attempt, so a client that got the token twice can tell. */
  jti: string;
}

/** An OpenID Connect Back-Channel Logout 1.0 logout token (§2.4), explicitly typed `logout+jwt`. */
export function signLogoutToken(claims: LogoutTokenClaims, privateJwk: JWK, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return signJwt({
    iss: claims.issuer,
    aud: claims.clientId,
    iat: nowSeconds,
    exp: nowSeconds + LOGOUT_TOKEN_SECONDS,
    jti: claims.jti,
    sub: claims.sub,
    ...(claims.sid ? { sid: claims.sid } : {}),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  }, 'logout+jwt', privateJwk);
}
