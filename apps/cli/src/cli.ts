// The published command's entry point, bundled into dist/modelship.mjs.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
