/** How many answers had each HTTP status: the shape a concurrency test's verdict takes. */
export function statuses(responses: Array<{ status: number }>): Record<number, number> {
  const counted: Record<number, number> = {};
  for (const { status } of responses) counted[status] = (counted[status] ?? 0) + 1;
  return counted;
}
