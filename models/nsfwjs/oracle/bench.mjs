// Times nsfwjs 4.4.0 on tfjs's CPU backend for one image: prints the median ms per image as its last line.
// usage: node models/nsfwjs/oracle/bench.mjs IMAGE.png RUNS
import * as tf from "@tensorflow/tfjs";
import * as nsfwjs from "nsfwjs";
import { PNG } from "pngjs";
import { readFileSync } from "node:fs";

const [file, runsText] = process.argv.slice(2);
const runs = Number(runsText || 10);
await tf.setBackend("cpu");
console.info = () => {};
const model = await nsfwjs.load("MobileNetV2");
const png = PNG.sync.read(readFileSync(file));
const rgb = new Int32Array(png.width * png.height * 3);
for (let i = 0, j = 0; i < png.data.length; i += 4) {
  rgb[j++] = png.data[i];
  rgb[j++] = png.data[i + 1];
  rgb[j++] = png.data[i + 2];
}
const input = tf.tensor3d(rgb, [png.height, png.width, 3], "int32");
const times = [];
for (let i = 0; i < runs + 2; i++) {
  const start = process.hrtime.bigint();
  const output = model.infer(input);
  await output.data();
  output.dispose();
  if (i >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
console.log(times[Math.floor(times.length / 2)].toFixed(1));
