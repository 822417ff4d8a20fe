// Veil's preview verifier for browsers and Node: loads veil_verifier.wasm (built with
// scripts/build-wasm.sh, or its relaxed-SIMD twin veil_verifier_relaxed.wasm) with no
// generated glue. See verifier/src/wasm.rs for the memory protocol.

const OUTCOMES = ["accepted", "proof rejected", "mismatch", "malformed input", "bad key"];

/**
 * Loads the verifier from the .wasm bytes or a compiled WebAssembly.Module. `host` feeds a
 * delivery check (deliveryShare, ciphertextCheck, decrypt): `read(len)` returns the file's
 * next bytes (a Uint8Array, empty at its end, null when it cannot be read), `leaves(first,
 * bytes)` takes a block of leaves, and `write(bytes)` takes the next bytes of a decrypted file
 * (false when it cannot keep them); without them a delivery check is refused.
 */
export async function loadVerifier(wasmBytes, host = {}) {
  let ex;
  const imports = {
    veil: {
      read(ptr, len) {
        const chunk = host.read ? host.read(len) : null;
        if (!chunk) return -1;
        new Uint8Array(ex.memory.buffer, ptr, chunk.length).set(chunk);
        return chunk.length;
      },
      leaves(first, ptr, len) {
        if (host.leaves) host.leaves(first, new Uint8Array(ex.memory.buffer, ptr, len).slice());
      },
      write(ptr, len) {
        if (!host.write) return -1;
        return host.write(new Uint8Array(ex.memory.buffer, ptr, len).slice()) === false ? -1 : len;
      },
    },
  };
  const instance = wasmBytes instanceof WebAssembly.Module
    ? await WebAssembly.instantiate(wasmBytes, imports)
    : (await WebAssembly.instantiate(wasmBytes, imports)).instance;
  ex = instance.exports;
  const encoder = new TextEncoder();
  const put = (bytes) => {
    const ptr = ex.veil_alloc(bytes.length);
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  const bytesOf = (x) => (typeof x === "string" ? encoder.encode(x) : x);
  const text = (ptr, len) => new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ptr, len));
  // The verdict of the call that returned `code`: its message, and its details (JSON) if any.
  const result = (code) => {
    const details = text(ex.veil_details_ptr(), ex.veil_details_len());
    return { ok: code === 0, outcome: OUTCOMES[code] ?? `code ${code}`,
      message: text(ex.veil_message_ptr(), ex.veil_message_len()),
      details: details ? JSON.parse(details) : null };
  };
  const call = (fn, inputs, extra = []) => {
    const args = inputs.map((x) => put(bytesOf(x)));
    try {
      return result(fn(...args.flat(), ...extra));
    } finally {
      for (const [ptr, len] of args) ex.veil_free(ptr, len);
    }
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
    /** SHA-256 of bytes, hex (a key's digest against the manifest). */
    sha256(bytes) {
      return call(ex.veil_sha256, [bytes]).message;
    },
    /**
     * Verifies an audit report (report.json text, Groth16 batch chain) with its batch shape's
     * .vk bytes against the published receipt root ("0x" and 64 hex digits); `details` holds
     * the totals.
     */
    verifyReport(reportJson, vkBytes, root) {
      return call(ex.veil_verify_report, [reportJson, vkBytes, root]);
    },
    /**
     * One share of a delivery check: reads the file through `host.read`, hands the leaves of
     * blocks worker, worker + workers, ... to `host.leaves`; `message` is the share's summary
     * (JSON) when ok. Share 0 (withSha256) also digests the file.
     */
    deliveryShare(listingJson, keyJson, name, worker, workers, withSha256) {
      return call(ex.veil_delivery_share, [listingJson, keyJson, name],
        [worker, workers, withSha256 ? 1 : 0]);
    },
    /**
     * Before paying: checks a ciphertext (.veilct, through `host.read`) against listing.json
     * (version 3) without the key; `details` is its summary (records, ciphertext_root).
     */
    ciphertextCheck(listingJson) {
      return call(ex.veil_ciphertext_check, [listingJson]);
    },
    /**
     * After paying: decrypts a ciphertext (through `host.read`) with the dataset key, handing
     * the plaintext to `host.write`; ok only when every record is the committed one and the
     * file is the listed one (else the message names the first record that is not).
     */
    decrypt(listingJson, keyJson) {
      return call(ex.veil_decrypt, [listingJson, keyJson]);
    },
    /**
     * Opens a key note (key-note JSON) of listing.json with the buyer key (buyer-key JSON), as
     * `veil delivery open-note` does; `message` is then the dataset key file's JSON.
     */
    openNote(noteJson, listingJson, buyerKeyJson) {
      return call(ex.veil_open_note, [noteJson, listingJson, buyerKeyJson]);
    },
    /** Starts rebuilding a delivered file's tree for listing.json. */
    treeBegin(listingJson) {
      return call(ex.veil_tree_begin, [listingJson]);
    },
    /** Appends a block of leaves (from deliveryShare) whose first record is `first`. */
    treePush(first, leafBytes) {
      const [ptr, len] = put(leafBytes);
      try {
        return result(ex.veil_tree_push(first, ptr, len));
      } finally {
        ex.veil_free(ptr, len);
      }
    },
    /** Compares the tree's commitment with the listing's; `summary` is share 0's message. */
    treeFinish(name, summary) {
      return call(ex.veil_tree_finish, [name, summary]);
    },
    /**
     * What the build's two-lane Poseidon2 does in this engine, after checking `pairs` pairs of
     * states against arkworks' permutation: 2 both lanes at once (the relaxed-SIMD build on an
     * engine with a fused multiply-add), 1 one after the other, 0 they disagree (do not use).
     */
    twoLanes(pairs = 8) {
      return typeof ex.veil_two_lanes === "function" ? ex.veil_two_lanes(pairs) : 1;
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
