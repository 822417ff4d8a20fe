// The delivery check off the page's thread. The page starts one coordinator; it starts
// `workers` shares, each reading the whole file with FileReaderSync and hashing the leaves of
// every workers-th block (verifier/src/delivery.rs), and rebuilds the tree from their blocks
// in order. An encrypted delivery (a .veilct) is checked before payment, or decrypted with the
// dataset key, in this one worker: the plaintext is gathered into a Blob (the browser keeps
// large ones on disk) for the page to offer. Every failure becomes a message: nothing is thrown
// past this file.
import { loadVerifier } from "./veil-verifier.mjs";

/** Bytes asked of the File at a time (the verifier reads 64 KiB at a time from them). */
const SLICE = 8 << 20;

function fileReader(file, onProgress) {
  const sync = new FileReaderSync();
  let pos = 0;
  let buf = new Uint8Array(0);
  let at = 0;
  return (len) => {
    if (at === buf.length) {
      if (pos >= file.size) return new Uint8Array(0);
      const end = Math.min(file.size, pos + SLICE);
      try {
        buf = new Uint8Array(sync.readAsArrayBuffer(file.slice(pos, end)));
      } catch {
        return null;
      }
      at = 0;
      pos = end;
      onProgress(pos);
    }
    const n = Math.min(len, buf.length - at);
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
}

async function share({ file, listing, key, wasm, worker, workers }) {
  const read = fileReader(file, (bytes) => {
    if (worker === 0) postMessage({ progress: bytes });
  });
  const leaves = (first, bytes) => postMessage({ block: first, bytes }, [bytes.buffer]);
  const v = await loadVerifier(wasm, { read, leaves });
  const r = v.deliveryShare(listing, key, file.name, worker, workers, worker === 0);
  postMessage({ done: r });
}

async function coordinator({ file, listing, key, wasm, workers }, report) {
  const v = await loadVerifier(wasm);
  const begun = v.treeBegin(listing);
  if (!begun.ok) return report({ result: begun });
  const pending = new Map();
  let next = 0;
  const summaries = new Array(workers);
  let failed = null;
  let left = workers;
  const shares = [];
  await new Promise((resolve) => {
    const stop = (why) => {
      failed ??= why;
      resolve();
    };
    for (let w = 0; w < workers; w++) {
      const s = new Worker(new URL("./delivery-worker.mjs", import.meta.url), { type: "module" });
      shares.push(s);
      s.onerror = (e) => {
        e.preventDefault();
        stop({ ok: false, message: `a delivery worker stopped: ${e.message}` });
      };
      s.onmessage = ({ data }) => {
        if (data.progress !== undefined) {
          report({ progress: data.progress });
        } else if (data.block !== undefined) {
          pending.set(data.block, data.bytes);
          while (pending.has(next)) {
            const bytes = pending.get(next);
            pending.delete(next);
            const r = v.treePush(next, bytes);
            if (!r.ok) return stop(r);
            next += bytes.length / 32;
          }
        } else if (data.done) {
          if (!data.done.ok) return stop(data.done);
          summaries[w] = data.done.message;
          if (--left === 0) resolve();
        } else if (data.error) {
          stop({ ok: false, message: data.error });
        }
      };
      s.postMessage({ role: "share", file, listing, key, wasm, worker: w, workers });
    }
  });
  for (const s of shares) s.terminate();
  if (failed) return report({ result: failed });
  const records = summaries.map((m) => JSON.parse(m).records);
  if (records.some((n) => n !== records[0])) {
    return report({ result: { ok: false, message: `the workers read ${records.join(", ")} records: the file changed while it was read` } });
  }
  report({ result: v.treeFinish(file.name, summaries[0]) });
}

/** Plaintext gathered between two Blobs: the arrays are let go every 32 MiB. */
const GATHER = 32 << 20;

async function ciphertext({ file, listing, key, wasm }, report) {
  const read = fileReader(file, (bytes) => report({ progress: bytes }));
  let blob = new Blob([]);
  let parts = [];
  let gathered = 0;
  const write = (bytes) => {
    parts.push(bytes);
    gathered += bytes.length;
    if (gathered >= GATHER) {
      blob = new Blob([blob, ...parts]);
      parts = [];
      gathered = 0;
    }
  };
  const v = await loadVerifier(wasm, { read, write });
  const result = key ? v.decrypt(listing, key) : v.ciphertextCheck(listing);
  const plaintext = key && result.ok ? new Blob([blob, ...parts]) : null;
  report({ result, plaintext });
}

onmessage = async ({ data }) => {
  try {
    if (data.role === "share") await share(data);
    else if (data.role === "ciphertext") await ciphertext(data, (m) => postMessage(m));
    else await coordinator(data, (m) => postMessage(m));
  } catch (e) {
    postMessage({ error: `${e?.message ?? e}` });
  }
};
