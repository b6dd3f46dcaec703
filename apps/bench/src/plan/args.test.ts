import { describe, expect, it } from 'vitest';
import { PLAN_DEFAULTS, PLAN_HELP, parsePlanArgs, UsageError } from './args.ts';

describe('parsePlanArgs', () => {
  it('needs only --rps; the rest has defaults', () => {
    expect(parsePlanArgs(['--rps', '1000'])).toEqual({
      rps: 1000,
      p99Ms: PLAN_DEFAULTS.p99Ms,
      env: 'gke',
      write: false,
      utilizationPercent: 70,
      durationS: 5,
      warmupS: 3,
      maxConnections: 256,
      json: false,
    });
  });

  it('reads every flag (and ignores the `--` pnpm passes through)', () => {
    expect(
      parsePlanArgs([
        '--',
        '--rps=250.5',
        '--p99-ms',
        '20',
        '--env',
        'local',
        '--write',
        '--utilization',
        '60',
        '--duration',
        '2',
        '--warmup',
        '0',
        '--max-connections',
        '32',
        '--service',
        '/tmp/server.js',
        '--json',
      ]),
    ).toEqual({
      rps: 250.5,
      p99Ms: 20,
      env: 'local',
      write: true,
      utilizationPercent: 60,
      durationS: 2,
      warmupS: 0,
      maxConnections: 32,
      json: true,
      serviceEntry: '/tmp/server.js',
    });
  });

  it('answers --help, whatever else is given', () => {
    expect(parsePlanArgs(['--help'])).toBe('help');
    expect(parsePlanArgs(['--rps', 'x', '--help'])).toBe('help');
    expect(PLAN_HELP).toContain('pnpm plan --rps 1000');
  });

  it.each([
    [[], /--rps is required/],
    [['--rps', '0'], /--rps "0" must be a number > 0/],
    [['--rps=-5'], /--rps "-5"/],
    [['--rps', '-5'], /'--rps'/],
    [['--rps', 'lots'], /--rps "lots"/],
    [['--rps', ''], /--rps ""/],
    [['--rps', '100', '--p99-ms', '0'], /--p99-ms "0"/],
    [['--rps', '100', '--env', 'prod'], /--env "prod" must be one of gke, local/],
    [
      ['--rps', '100', '--utilization', '100'],
      /--utilization "100" must be a number from 10 to 95/,
    ],
    [['--rps', '100', '--duration', '1.5'], /--duration "1.5" must be an integer/],
    [['--rps', '100', '--max-connections', '0'], /--max-connections "0"/],
    [['--rps', '100', '--replicas', '3'], /Unknown option '--replicas'/],
    [['--rps'], /--rps/],
    [['--rps', '100', 'extra'], /extra/],
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(() => parsePlanArgs(argv)).toThrow(UsageError);
    expect(() => parsePlanArgs(argv)).toThrow(message);
  });
});
