import { errors } from 'oidc-provider';

interface SingleUse {
  /** The error oidc-provider itself answers when it sees the reuse. */
  error: () => Error;
  /** Whether a reuse revokes the grant the record belongs to. */
  revokesGrant: boolean;
}

/** The models oidc-provider consumes, and what a second consumption means for each. */
export const SINGLE_USE_MODELS: Record<string, SingleUse> = {
  AuthorizationCode: { error: () => new errors.InvalidGrant('authorization code already consumed'), revokesGrant: true },
  RefreshToken: { error: () => new errors.InvalidGrant('refresh token already used'), revokesGrant: true },
  DeviceCode: { error: () => new errors.InvalidGrant('device code already consumed'), revokesGrant: true },
  BackchannelAuthenticationRequest: {
    error: () => new errors.InvalidGrant('backchannel authentication request already consumed'), revokesGrant: true,
  },
  PushedAuthorizationRequest: {
    error: () => new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used'), revokesGrant: false,
  },
};

export function reusedSingleUseError(model: string): Error {
  return SINGLE_USE_MODELS[model]?.error() ?? new errors.InvalidRequest(`${model} was already used`);
}
