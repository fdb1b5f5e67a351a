/**
 * One line saying why a call to a client's URL failed, for a job's record and the log: the URL's
 * origin and path (never its query, which may carry a credential) and the network error's code
 * (ECONNREFUSED, a timeout, a refused private address), or the HTTP status it answered.
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

export function unreachable(url: string, error: unknown): Error {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError'
    ? 'no answer in time'
    : cause?.code ?? cause?.message ?? (error as Error).message;
  return new Error(`could not reach ${describeUrl(url)}: ${detail}`);
}

export function refusedWith(url: string, status: number, detail?: string): Error {
  return new Error(`${describeUrl(url)} answered HTTP ${status}${detail ? ` (${detail})` : ''}`);
}
