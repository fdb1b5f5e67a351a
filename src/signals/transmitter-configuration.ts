import { POLL_DELIVERY, PUSH_DELIVERY } from './event-types.ts';

/** Where each endpoint of the transmitter lives, below the issuer. */
export const SSF_PATHS = {
  configuration: '/.well-known/ssf-configuration',
  streams: '/ssf/streams',
  status: '/ssf/status',
  addSubject: '/ssf/subjects/add',
  removeSubject: '/ssf/subjects/remove',
  verify: '/ssf/verify',
  poll: '/ssf/poll',
} as const;

export function pollEndpointOf(issuer: string, streamId: string): string {
  return `${issuer}${SSF_PATHS.poll}/${encodeURIComponent(streamId)}`;
}

/** The Transmitter Configuration Metadata (SSF 1.0 §7.1), served at /.well-known/ssf-configuration. */
export function transmitterConfiguration(issuer: string, jwksUri: string, defaultSubjects: 'ALL' | 'NONE'): Record<string, unknown> {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: jwksUri,
    delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
    configuration_endpoint: `${issuer}${SSF_PATHS.streams}`,
    status_endpoint: `${issuer}${SSF_PATHS.status}`,
    add_subject_endpoint: `${issuer}${SSF_PATHS.addSubject}`,
    remove_subject_endpoint: `${issuer}${SSF_PATHS.removeSubject}`,
    verification_endpoint: `${issuer}${SSF_PATHS.verify}`,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    default_subjects: defaultSubjects,
  };
}
