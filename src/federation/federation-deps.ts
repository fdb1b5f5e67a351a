import type { UpstreamRecord } from '../store/store.ts';
import type { PendingUpstreamLinks } from './pending-upstream-links.ts';
import type { PendingUpstreamSteps } from './pending-upstream-steps.ts';
import type { UpstreamAnswers } from './upstream-answers.ts';
import type { UpstreamConnector } from './upstream.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

/** What the login flow needs for upstream steps: which upstreams exist, and the code that speaks each type. */
export interface FederationDeps {
  directory: UpstreamDirectory;
  /** One connector per upstream type; a type without one is not offered. */
  connectors: ReadonlyMap<UpstreamRecord['type'], UpstreamConnector>;
  /** Redirect steps between start and callback. */
  pendingSteps: PendingUpstreamSteps;
  /** Upstream identities waiting for the person to prove the local account they will be linked to. */
  pendingLinks: PendingUpstreamLinks;
  /** What each upstream answered, between its callback and the interaction's return route. */
  answers: UpstreamAnswers;
  /** Keyline's issuer, which callback URLs are built from. */
  issuer: string;
}
