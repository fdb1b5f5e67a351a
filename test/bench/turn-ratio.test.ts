import { medianTurnCpuRatio, type RoundResult } from '../../bench/load.ts';

const turn = (serverCpuMs: number | null, completed: number): RoundResult => ({
  completed, errors: 0, elapsedMs: 1000, latenciesMs: [], errorSamples: [], serverCpuMs,
});

test('the CPU comparison is the median of the turns\' ratios, so one disturbed turn does not move it', () => {
  // Keyline 0.5, 0.6, 0.5 ms per op against the peer's 0.4, 0.4, 2.0 (a turn the machine disturbed).
  const keyline = [turn(500, 1000), turn(600, 1000), turn(500, 1000)];
  const peer = [turn(400, 1000), turn(400, 1000), turn(4000, 2000)];
  expect(medianTurnCpuRatio(keyline, peer)).toBe(1.25);
  // Pooled, the same turns would say 1600 µs / 3000 ops against 4800 / 4000: 0.44, the disturbed turn deciding.
});

test('an even number of turns takes the mean of the middle two; turns without CPU figures are left out', () => {
  expect(medianTurnCpuRatio([turn(300, 100), turn(500, 100)], [turn(100, 100), turn(100, 100)])).toBe(4);
  expect(medianTurnCpuRatio([turn(null, 100), turn(200, 100)], [turn(100, 100), turn(100, 100)])).toBe(2);
  expect(medianTurnCpuRatio([turn(null, 100)], [turn(100, 100)])).toBeNull();
  expect(medianTurnCpuRatio([turn(100, 0)], [turn(100, 100)])).toBeNull();
});
