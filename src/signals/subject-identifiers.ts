/**
 * RFC 9493 subject identifiers, as far as Keyline's subjects go: a user is `iss_sub` (Keyline's
 * issuer and the account id, the `sub` of its tokens) or `email`. A receiver may also name the
 * user inside an SSF complex subject (`{ format: "complex", user: {...} }`).
 */
export type SubjectIdentifier =
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string };

export class SubjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubjectError';
  }
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 320) throw new SubjectError(`subject: "${name}" must be a non-empty string`);
  return value;
}

function simpleSubject(value: unknown): SubjectIdentifier {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SubjectError('subject: must be a subject identifier object');
  const subject = value as Record<string, unknown>;
  switch (subject.format) {
    case 'iss_sub':
      return { format: 'iss_sub', iss: text(subject.iss, 'iss'), sub: text(subject.sub, 'sub') };
    case 'email':
      return { format: 'email', email: text(subject.email, 'email').trim().toLowerCase() };
    case 'complex':
      if (subject.user === undefined) throw new SubjectError('subject: a complex subject needs a "user" member: Keyline\'s subjects are users');
      return simpleSubject(subject.user);
    default:
      throw new SubjectError('subject: the format must be iss_sub or email (or complex with a user member)');
  }
}

/** The subject a receiver sent, or SubjectError saying what is wrong with it. */
export function parseSubject(value: unknown): SubjectIdentifier {
  return simpleSubject(value);
}

/**
 * One canonical string per subject, for the store. `iss_sub` keys hold the sub only when the iss
 * is Keyline's, so a foreign issuer's subject can never name a Keyline account.
 */
export function subjectKey(subject: SubjectIdentifier, issuer: string): string {
  if (subject.format === 'email') return `email:${subject.email}`;
  return subject.iss === issuer ? `iss_sub:${subject.sub}` : `foreign:${JSON.stringify([subject.iss, subject.sub])}`;
}

/** The keys an account is known by: its id and, when known, its email. */
export function accountSubjectKeys(accountId: string, email: string | undefined): string[] {
  return email ? [`iss_sub:${accountId}`, `email:${email}`] : [`iss_sub:${accountId}`];
}

/** The subject identifier for a key of accountSubjectKeys, as a SET's `sub_id`. */
export function subjectIdentifierOf(key: string, issuer: string): SubjectIdentifier {
  if (key.startsWith('email:')) return { format: 'email', email: key.slice('email:'.length) };
  return { format: 'iss_sub', iss: issuer, sub: key.slice('iss_sub:'.length) };
}
