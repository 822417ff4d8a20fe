// Veil's preview verifier for browsers and Node: loads veil_verifier.wasm (built with
// `cargo build -p veil-verifier --target wasm32-unknown-unknown --features wasm,halo2 --release`)
// with no generated glue. See verifier/src/wasm.rs for the memory protocol.

const OUTCOMES = ["accepted", "proof rejected", "mismatch", "malformed input", "bad key"];

export async function loadVerifier(wasmBytes) {
  const { instance } = await WebAssembly.instantiate(wasmBytes, {});
  const ex = instance.exports;
  const encoder = new TextEncoder();
  const put = (bytes) => {
    const ptr = ex.veil_alloc(bytes.length);
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  const call = (fn, inputs) => {
    const args = inputs.map(put);
    const code = fn(...args.flat());
    const message = new TextDecoder().decode(
      new Uint8Array(ex.memory.buffer, ex.veil_message_ptr(), ex.veil_message_len()));
    for (const [ptr, len] of args) ex.veil_free(ptr, len);
    return { ok: code === 0, outcome: OUTCOMES[code] ?? `code ${code}`, message };
  };
  return {
    /** Verifies a Groth16 preview.json text against listing.json text with the shape's .vk bytes. */
    verifyPreview(previewJson, listingJson, vkBytes) {
      return call(ex.veil_verify_preview,
        [encoder.encode(previewJson), encoder.encode(listingJson), vkBytes]);
    },
    /**
     * Verifies a Groth16 preview.json bound to its ciphertext (version 2) against listing.json:
     * the preview shape's .vk bytes and the ciphertext-opening shape's .vk bytes.
     */
    verifyBoundPreview(previewJson, listingJson, vkBytes, openingVkBytes) {
      return call(ex.veil_verify_bound_preview,
        [encoder.encode(previewJson), encoder.encode(listingJson), vkBytes, openingVkBytes]);
    },
    /** Whether this build verifies halo2 (built with `--features wasm,halo2`). */
    halo2: typeof ex.veil_verify_preview_halo2 === "function",
    /**
     * Verifies a halo2 preview.json text against listing.json text with the shape's halo2 key
     * bytes (params/halo2/KEY.vk) and the operator's kzg-bn254.json text.
     */
    verifyPreviewHalo2(previewJson, listingJson, vkBytes, kzgInfoJson) {
      if (!ex.veil_verify_preview_halo2) {
        throw new Error("this verifier was built without halo2: build it with --features wasm,halo2");
      }
      return call(ex.veil_verify_preview_halo2, [encoder.encode(previewJson),
        encoder.encode(listingJson), vkBytes, encoder.encode(kzgInfoJson)]);
    },
  };
}
