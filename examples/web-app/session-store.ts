// The example app's sessions: in this process's memory, named by an HttpOnly cookie. It is a demo:
// a restart signs everyone out, and two processes would not share them. A real app keeps them in
// its own store (Redis, its database) or in an encrypted cookie.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PendingSignIn } from './relying-party.ts';

/**
 * Distinct from Keyline's cookie names: cookies ignore the port, so on localhost both apps share them.
 * Over https the name has the __Host- prefix: the browser then takes it only from this host (Secure,
 * Path=/, no Domain), so a sibling subdomain cannot plant a session it signed in to in someone's
 * browser. Plain http (localhost) cannot use the prefix.
 */
const COOKIE = 'example_session';
const HOST_ONLY_COOKIE = `__Host-${COOKIE}`;
const IDLE_MS = 60 * 60 * 1000;
const SESSIONS_AT_MOST = 10_000;
const PENDING_AT_MOST = 5;

export interface SignedIn {
  idToken: string;
  claims: Record<string, unknown>;
  /** The access token for the example API (a JWT whose audience is the API). */
  apiToken?: string;
  userInfo?: Record<string, unknown>;
  /** Why UserInfo could not be read, when it could not. */
  userInfoProblem?: string;
}

export interface Session {
  id: string;
  /** Authorization requests sent from this browser and not answered yet, by their state. */
  readonly pending: Map<string, PendingSignIn>;
  /** Sent with the sign-out form: a page of another site cannot sign this browser out. */
  readonly csrf: string;
  signedIn?: SignedIn;
  /** The last sign-in's refusal, shown (and reloadable) at /sign-in-problem until the next try. */
  problem?: { code: string; detail?: string };
  lastUsed: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #secure: boolean;
  readonly #cookieName: string;

  constructor(options: { secure: boolean }) {
    this.#secure = options.secure;
    this.#cookieName = options.secure ? HOST_ONLY_COOKIE : COOKIE;
  }

  /** The browser's session, or undefined: a page that only reads never creates one. */
  find(req: IncomingMessage): Session | undefined {
    const id = cookieValue(req.headers.cookie, this.#cookieName);
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session) return undefined;
    if (Date.now() - session.lastUsed > IDLE_MS) {
      this.#sessions.delete(session.id);
      return undefined;
    }
    session.lastUsed = Date.now();
    return session;
  }

  /** The browser's session, or a new one with its cookie set on `res`. */
  findOrCreate(req: IncomingMessage, res: ServerResponse): Session {
    const found = this.find(req);
    if (found) return found;
    if (this.#sessions.size >= SESSIONS_AT_MOST) {
      // Map keeps insertion order: the oldest session goes first, so memory stays bounded.
      this.#sessions.delete(this.#sessions.keys().next().value!);
    }
    const session: Session = { id: randomBytes(32).toString('base64url'), pending: new Map(), csrf: randomBytes(16).toString('base64url'), lastUsed: Date.now() };
    this.#sessions.set(session.id, session);
    res.setHeader('set-cookie', this.#cookie(session.id));
    return session;
  }

  /** Remembers an authorization request; a browser that opens many tabs keeps only the newest few. */
  addPending(session: Session, state: string, pending: PendingSignIn): void {
    if (session.pending.size >= PENDING_AT_MOST) session.pending.delete(session.pending.keys().next().value!);
    session.pending.set(state, pending);
  }

  /**
   * A new name for the session once someone signs in: a name planted in the browser before (a
   * cookie set by another app on the same host) is worth nothing afterwards (session fixation).
   */
  rename(session: Session, res: ServerResponse): void {
    this.#sessions.delete(session.id);
    session.id = randomBytes(32).toString('base64url');
    this.#sessions.set(session.id, session);
    res.setHeader('set-cookie', this.#cookie(session.id));
  }

  /** Forgets the session on the server and tells the browser to drop the cookie. */
  end(session: Session, res: ServerResponse): void {
    this.#sessions.delete(session.id);
    res.setHeader('set-cookie', `${this.#cookie('')}; Max-Age=0`);
  }

  #cookie(value: string): string {
    return `${this.#cookieName}=${value}; Path=/; HttpOnly; SameSite=Lax${this.#secure ? '; Secure' : ''}`;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
