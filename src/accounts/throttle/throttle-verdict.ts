/** Why an attempt at guessing something was refused, and when to try again. */
export interface Refusal {
  allowed: false;
  reason: 'locked' | 'ip' | 'backoff';
  retryAfterSeconds: number;
  /** This attempt is the one that set the lock (reported once, as a lockout). */
  lockedNow?: boolean;
}

export function secondsUntil(date: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));
}
