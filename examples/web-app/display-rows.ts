// Claims as rows of a table: the page prints them as text (pug escapes), so a claim holding markup
// shows as that markup, never runs.

export interface DisplayRow {
  name: string;
  value: string;
  /** For a time claim: the instant in UTC, readable. */
  note?: string;
}

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'updated_at']);

export function displayRows(claims: Record<string, unknown>): DisplayRow[] {
  return Object.entries(claims).map(([name, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const note = TIME_CLAIMS.has(name) && typeof value === 'number'
      ? `${new Date(value * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`
      : undefined;
    return { name, value: text, note };
  });
}
