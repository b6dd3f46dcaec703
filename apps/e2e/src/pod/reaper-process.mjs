// The reaper: a small process that outlives the test process which started it, so that nothing
// that test process started outlives it. It reads lines on stdin (a pipe from the test process):
//   +g <pgid> <starttime>   a process group to kill (a container; <starttime> of its leader)
//   -g <pgid>               that group is gone
//   +d <dir>                a folder to remove
//   -d <dir>                that folder is removed (or kept on purpose)
// When stdin ends (the test process exited, however it ended: a normal exit, SIGTERM from the
// test runner's worker pool, SIGKILL, a crash), every group still listed gets SIGKILL and every
// folder still listed is removed; then the reaper exits. It ignores SIGINT/SIGTERM/SIGHUP, which
// a terminal or a CI runner sends to the whole tree, so that it can do that job first.
// Plain JavaScript: node runs it as is, without a TypeScript loader (see reaper.ts).
import { readFileSync, rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { createInterface } from 'node:readline';

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

/** @type {Map<number, string>} pgid → start time of its leader */
const groups = new Map();
/** @type {Set<string>} */
const dirs = new Set();

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined if the pid is gone. */
function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [op, arg = '', extra = ''] = line.split(' ');
  if (op === '+g') groups.set(Number(arg), extra);
  else if (op === '-g') groups.delete(Number(arg));
  else if (op === '+d') dirs.add(line.slice(3));
  else if (op === '-d') dirs.delete(line.slice(3));
});
lines.on('close', () => {
  for (const [pgid, started] of groups) {
    if (!(pgid > 1)) continue;
    // A leader with another start time means the number was reused: not ours, leave it alone.
    // (A group id cannot be reused while any member of the group is alive.)
    const now = startTime(pgid);
    if (now !== undefined && now !== started) continue;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) {
    if (isAbsolute(dir)) rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
});
