import { startLab } from "../test/interop/lab/lab.ts";

const lab = await startLab();
console.log(JSON.stringify({ dir: lab.dir, root: lab.rootCaFile }));
await new Promise((r) => setTimeout(r, Number(process.env.HOLD ?? 1000)));
if (!process.env.KEEP) await lab.stop();
