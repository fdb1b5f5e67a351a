/** Why an attempt at guessing something was refused, and when to try again. */
export interface Refusal {
  allowed: false;
  reason: 'locked' | 'ip' | 'backoff';
  retryAfterSeconds: number;
}

export function secondsUntil(date: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));
}
