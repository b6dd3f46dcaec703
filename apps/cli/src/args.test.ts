import { describe, expect, it } from 'vitest';
import { defineCommand, parseCommandLine } from './args.ts';
import { commandHelp } from './help.ts';

const deploy = defineCommand({
  name: 'deploy',
  summary: 'a command declared for these tests',
  args: ['DIR'],
  flags: {
    image: { type: 'string', value: 'IMAGE', required: true, help: 'the image' },
    env: { type: 'string', value: 'ENV', choices: ['gke', 'local'], default: 'gke', help: 'where' },
    weight: { type: 'integer', value: 'N', min: 0, max: 100, needs: 'candidate', help: 'share' },
    candidate: { type: 'string', value: 'DIR2', help: 'a second model' },
    push: { type: 'boolean', help: 'push it' },
  },
  description: 'Deploys DIR.',
  examples: ['modelship deploy models/churn --image i:1'],
  run: async () => 0,
});

const refusal = (argv: string[]) => {
  try {
    parseCommandLine(deploy, argv);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe('a command declared once', () => {
  it('derives its --help from the declaration', () => {
    const help = commandHelp(deploy);
    expect(help).toMatch(/^Usage: modelship deploy DIR --image IMAGE \[options\]\n\nDeploys DIR\./);
    expect(help).toContain('\n  --env ENV           where (one of: gke, local; default: gke)\n');
    expect(help).toContain('\n  --push              push it\n');
    expect(help).toMatch(/Example:\n {2}modelship deploy models\/churn --image i:1$/);
  });

  it('parses typed values and applies defaults', () => {
    const line = parseCommandLine(deploy, [
      'd',
      '--image',
      'i:1',
      '--candidate',
      'c',
      '--weight',
      '7',
    ]);
    expect(line.positionals).toEqual(['d']);
    expect(line.values).toEqual({
      image: 'i:1',
      env: 'gke',
      weight: 7,
      candidate: 'c',
      push: false,
    });
  });

  it('refuses what the declaration does not allow, naming the flag', () => {
    expect(refusal(['d'])).toBe('--image IMAGE is required: the image');
    expect(refusal(['d', '--image', 'i', '--env', 'aks'])).toBe(
      '--env aks: must be one of gke, local',
    );
    expect(refusal(['d', '--image', 'i', '--candidate', 'c', '--weight', '101'])).toBe(
      '--weight 101: must be a whole number from 0 to 100',
    );
    expect(refusal(['d', '--image', 'i', '--weight', '5'])).toMatch(
      /^--weight needs --candidate DIR2/,
    );
    expect(refusal(['--image', 'i'])).toMatch(/^give DIR \(modelship deploy DIR --image IMAGE;/);
    expect(refusal(['d', 'e', '--image', 'i'])).toBe('unexpected argument e');
    expect(refusal(['d', '--image', 'i', '--tag', 'x'])).toMatch(/Unknown option '--tag'/);
  });

  it('answers --help before checking anything else', () => {
    expect(parseCommandLine(deploy, ['--help']).help).toBe(true);
  });
});
