export type FindingStatus = 'ok' | 'warn' | 'FAIL';

export interface Finding {
  check: string;
  status: FindingStatus;
  detail: string;
  /** What to do about it; empty when nothing needs doing. */
  fix?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string, fix: string): Finding => ({ check, status: 'warn', detail, fix });
export const fail = (check: string, detail: string, fix: string): Finding => ({ check, status: 'FAIL', detail, fix });

export function formatFinding(finding: Finding): string {
  return `${finding.status.padEnd(5)} ${finding.check}: ${finding.detail}${finding.fix ? ` — fix: ${finding.fix}` : ''}`;
}
