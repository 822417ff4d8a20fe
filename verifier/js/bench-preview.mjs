// Times the wasm verifier: node bench-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk [N]
import { readFile } from "node:fs/promises";
import { loadVerifier } from "./veil-verifier.mjs";

const [wasm, preview, listing, vk, n = "20"] = process.argv.slice(2);
const verifier = await loadVerifier(await readFile(wasm));
const args = [await readFile(preview, "utf8"), await readFile(listing, "utf8"), await readFile(vk)];
const first = verifier.verifyPreview(...args);
if (!first.ok) throw new Error(first.message);
const t = performance.now();
for (let i = 0; i < Number(n); i++) verifier.verifyPreview(...args);
console.log(`${((performance.now() - t) / Number(n)).toFixed(1)} ms per verification (${n} runs)`);
