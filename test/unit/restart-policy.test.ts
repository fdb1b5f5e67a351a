import { RestartPolicy } from '../../src/cluster/restart-policy.ts';
import { workerCount } from '../../src/cluster/worker-count.ts';

const options = { maxExits: 4, windowMs: 60_000, firstDelayMs: 500, maxDelayMs: 1_500 };

test('replaces a worker at once, then backs off while workers keep exiting, then gives up', () => {
  let now = 0;
  const policy = new RestartPolicy(options, () => now);
  const decisions = [0, 1_000, 2_000, 3_000].map((at) => {
    now = at;
    return policy.afterExit();
  });
  expect(decisions).toEqual([
    { kind: 'restart', delayMs: 0 },
    { kind: 'restart', delayMs: 500 },
    { kind: 'restart', delayMs: 1_000 },
    { kind: 'give-up', exits: 4, windowMs: 60_000 },
  ]);
});

test('exits longer ago than the window are forgotten: an occasional crash is always replaced at once', () => {
  let now = 0;
  const policy = new RestartPolicy(options, () => now);
  for (const at of [0, 70_000, 140_000, 210_000, 280_000]) {
    now = at;
    expect(policy.afterExit()).toEqual({ kind: 'restart', delayMs: 0 });
  }
});

test('"auto" is one worker per CPU; a number is itself', () => {
  expect(workerCount('auto', () => 6)).toBe(6);
  expect(workerCount(3, () => 6)).toBe(3);
});
