import { type Command, type Flag, flagLabel, synopsis } from './args.ts';

/** `text` in lines of at most `width` characters, the lines after the first indented. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

function flagHelp(flag: Flag): string {
  const notes = [
    flag.type === 'string' && flag.choices ? `one of: ${flag.choices.join(', ')}` : undefined,
    flag.type !== 'boolean' && flag.default !== undefined ? `default: ${flag.default}` : undefined,
  ].filter(Boolean);
  return notes.length ? `${flag.help} (${notes.join('; ')})` : flag.help;
}

/** The `--help` text of a command. */
export function commandHelp(command: Command): string {
  const rows: [string, string][] = [
    ...Object.entries(command.flags).map(([name, flag]): [string, string] => [
      flagLabel(name, flag),
      flagHelp(flag),
    ]),
    ['-h, --help', 'this help'],
  ];
  const column = 18;
  const pad = ' '.repeat(column + 4);
  const options = rows.flatMap(([label, help]) => {
    const text = wrap(help, 96 - pad.length, pad);
    return label.length > column
      ? [`  ${label}`, `${pad}${text.join('\n')}`]
      : [`  ${label.padEnd(column)}  ${text.join('\n')}`];
  });
  const hasOptions = Object.values(command.flags).some((f) => !(f.type === 'string' && f.required));
  return [
    `Usage: ${synopsis(command)}${hasOptions ? ' [options]' : ''}`,
    '',
    command.description,
    '',
    'Options:',
    ...options,
    '',
    'Example:',
    ...command.examples.map((example) => `  ${example}`),
  ].join('\n');
}

/** `modelship --help`: each command's synopsis and summary. */
export function mainHelp(commands: readonly Command[]): string {
  const rows = commands.map((c) => [synopsis(c).replace(/^modelship /, ''), c.summary]);
  const column = 28;
  const lines = rows.map(([usage = '', summary = '']) =>
    usage.length > column
      ? `  ${usage}\n  ${''.padEnd(column)}  ${summary}`
      : `  ${usage.padEnd(column)}  ${summary}`,
  );
  return `Usage: modelship <command> [options]

Commands:
${lines.join('\n')}

Run modelship <command> --help for a command's options and an example.
Exit codes: 0 done, 1 the model or data is at fault, 2 usage.`;
}
