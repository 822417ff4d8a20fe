// Times the wasm verifier:
//   node bench-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk [N]                 (Groth16)
//   node bench-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk N kzg-bn254.json    (halo2)
import { readFile } from "node:fs/promises";
import { loadVerifier } from "./veil-verifier.mjs";

const [wasm, preview, listing, vk, n = "20", kzgInfo] = process.argv.slice(2);
const verifier = await loadVerifier(await readFile(wasm));
const args = [await readFile(preview, "utf8"), await readFile(listing, "utf8"), await readFile(vk)];
if (kzgInfo) args.push(await readFile(kzgInfo, "utf8"));
const verify = kzgInfo ? verifier.verifyPreviewHalo2 : verifier.verifyPreview;
const first = verify(...args);
if (!first.ok) throw new Error(first.message);
const t = performance.now();
for (let i = 0; i < Number(n); i++) verify(...args);
console.log(`${((performance.now() - t) / Number(n)).toFixed(1)} ms per verification (${n} runs)`);
