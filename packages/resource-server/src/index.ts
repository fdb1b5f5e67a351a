export { createResourceServer, type RequirementOrScopes, type ResourceServer, type ResourceServerOptions } from './resource-server.ts';
export { requirePermissions, requireScopes, type Requirement } from './requirements.ts';
export { introspectionCheck, type IntrospectionOptions } from './introspection-check.ts';
export { RevokedSubjects } from './revoked-subjects.ts';
export { memoryReplayCache, type ProofReplayCache } from './dpop-proof.ts';
export { metadataUrl, protectedResourceMetadata } from './protected-resource-metadata.ts';
export { fromNodeRequest } from './node-request.ts';
export type { AccessTokenClaims, IncomingRequest, RevocationCheck, Verdict } from './types.ts';
export { signalsCheck, type SignalsCheck, type SignalsOptions } from './signals-check.ts';
