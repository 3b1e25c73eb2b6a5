// Starts the interop lab and keeps it running until killed (for manual probing and the benchmark).
import { startLab } from "../test/interop/lab/lab.js";

const lab = await startLab();
console.log(JSON.stringify({ dir: lab.dir, rootCaFile: lab.rootCaFile, resolver: lab.resolver }));
const stop = async () => {
  await lab.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);
