import { fileURLToPath } from 'node:url';

/** `apps/bench/` */
export const benchDir: string = fileURLToPath(new URL('../', import.meta.url));

/** The repository root. */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the full run writes `latest.md`, `latest.json` and the chart. */
export const resultsDir: string = fileURLToPath(new URL('../results/', import.meta.url));

/** The Flask/Gunicorn peer (and the nginx.conf both peers run behind): `app.py`, `train.py`, `gunicorn.conf.py`, `nginx.conf`. */
export const peersDir: string = fileURLToPath(new URL('../peers/', import.meta.url));

/** The FastAPI peer: `app.py`, `gunicorn.conf.py`, `requirements.txt`, `setup-venv.sh`. */
export const fastapiPeerDir: string = fileURLToPath(new URL('../peers/fastapi/', import.meta.url));

/** The FastAPI peer's interpreter, in the venv `peers/fastapi/setup-venv.sh` creates. */
export const fastapiPython: string = fileURLToPath(
  new URL('../peers/fastapi/.venv/bin/python', import.meta.url),
);

/** The built inference service (`pnpm --filter @modelship/inference build`). */
export const serviceEntry: string = fileURLToPath(
  new URL('../../inference/dist/server.js', import.meta.url),
);

/** The data set both stacks are trained on. */
export const insuranceCsv: string = fileURLToPath(
  new URL('../../../packages/insurance-model/data/insurance.csv', import.meta.url),
);

/** Binaries the harness runs (Debian packages). */
export const binaries = {
  nginx: '/usr/sbin/nginx',
  wrk: '/usr/bin/wrk',
  python: '/usr/bin/python3',
  taskset: '/usr/bin/taskset',
} as const;
