// Command-line check with the wasm verifier:
//   node verify-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk              (Groth16)
//   node verify-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk kzg-bn254.json (halo2)
//   node verify-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk --opening OPENING.vk
//                                                  (Groth16, a preview bound to its ciphertext)
// Prints the verifier's message; exits 0 when accepted, 1 otherwise.
import { readFile } from "node:fs/promises";
import { loadVerifier } from "./veil-verifier.mjs";

const [wasm, preview, listing, vk, kzgInfo] = process.argv.slice(2);
if (!vk) {
  console.error("usage: node verify-preview.mjs VERIFIER.wasm preview.json listing.json KEY.vk [kzg-bn254.json]");
  process.exit(2);
}
const verifier = await loadVerifier(await readFile(wasm));
const [p, l, k] = [await readFile(preview, "utf8"), await readFile(listing, "utf8"), await readFile(vk)];
const [, , , , , opening] = process.argv.slice(2);
const r = kzgInfo === "--opening"
  ? verifier.verifyBoundPreview(p, l, k, await readFile(opening))
  : kzgInfo
    ? verifier.verifyPreviewHalo2(p, l, k, await readFile(kzgInfo, "utf8"))
    : verifier.verifyPreview(p, l, k);
console.log(`${r.outcome}: ${r.message}`);
process.exit(r.ok ? 0 : 1);
