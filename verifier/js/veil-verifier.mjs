// Veil's preview verifier for browsers and Node: loads veil_verifier.wasm (built with
// `cargo build -p veil-verifier --target wasm32-unknown-unknown --features wasm --release`)
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
  return {
    /** Verifies preview.json text against listing.json text with the shape's .vk bytes. */
    verifyPreview(previewJson, listingJson, vkBytes) {
      const args = [encoder.encode(previewJson), encoder.encode(listingJson), vkBytes].map(put);
      const code = ex.veil_verify_preview(...args.flat());
      const message = new TextDecoder().decode(
        new Uint8Array(ex.memory.buffer, ex.veil_message_ptr(), ex.veil_message_len()));
      for (const [ptr, len] of args) ex.veil_free(ptr, len);
      return { ok: code === 0, outcome: OUTCOMES[code] ?? `code ${code}`, message };
    },
  };
}
