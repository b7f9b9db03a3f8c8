// Golden outputs for the embedded engine: runs nsfwjs 4.4.0 itself, on tfjs's pure-JavaScript CPU backend, over
// safe real photos, and writes what the Java implementation must reproduce.
//
// The JPEG photos are decoded here (jpeg-js) and saved as PNG next to the fixture, and the probabilities are
// computed from those very pixels, so the Java test (which reads the PNGs) compares models, not JPEG decoders.
//
// usage (from the repository root):
//   npm --prefix models/nsfwjs/oracle ci && node models/nsfwjs/oracle/reference.mjs
import * as tf from "@tensorflow/tfjs";
import * as nsfwjs from "nsfwjs";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..", "..");
const photos = join(root, "shared", "src", "test", "resources", "photos");
const out = join(root, "shared", "src", "test", "resources", "nsfw");

await tf.setBackend("cpu");
const originalInfo = console.info;
console.info = () => {};
const model = await nsfwjs.load("MobileNetV2");
console.info = originalInfo;

mkdirSync(out, { recursive: true });
const images = {};
for (const file of readdirSync(photos).filter(f => f.endsWith(".jpg")).sort()) {
  const decoded = jpeg.decode(readFileSync(join(photos, file)), { useTArray: true, formatAsRGBA: true });
  const png = new PNG({ width: decoded.width, height: decoded.height });
  png.data = Buffer.from(decoded.data);
  const name = basename(file, ".jpg") + ".png";
  writeFileSync(join(out, name), PNG.sync.write(png));

  const rgb = new Int32Array(decoded.width * decoded.height * 3);
  for (let i = 0, j = 0; i < decoded.data.length; i += 4) {
    rgb[j++] = decoded.data[i];
    rgb[j++] = decoded.data[i + 1];
    rgb[j++] = decoded.data[i + 2];
  }
  const input = tf.tensor3d(rgb, [decoded.height, decoded.width, 3], "int32");
  const output = model.infer(input);
  images[name] = Array.from(await output.data());
  input.dispose();
  output.dispose();
  console.log(name, images[name].map(p => p.toFixed(6)).join(" "));
}

const pkg = JSON.parse(readFileSync(join(root, "models", "nsfwjs", "oracle", "node_modules", "@tensorflow", "tfjs", "package.json")));
writeFileSync(join(out, "reference-probabilities.json"), JSON.stringify({
  producedBy: "models/nsfwjs/oracle/reference.mjs",
  model: "nsfwjs 4.4.0 MobileNetV2",
  runtime: `@tensorflow/tfjs ${pkg.version}, backend ${tf.getBackend()}, node ${process.version}`,
  classes: ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"],
  images,
}, null, 2) + "\n");
