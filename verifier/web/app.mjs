// Veil's verifier page: previews, deliveries and audit reports checked with the WebAssembly
// verifier in this tab (deliveries in Web Workers, delivery-worker.mjs). Verifying keys come
// from the server that served the page (GET v1/keys...) or from files the user adds.
import { loadVerifier } from "./veil-verifier.mjs";

const $ = (id) => document.getElementById(id);
/** Largest JSON input read into memory: proofs, listings and reports are far smaller. */
const JSON_LIMIT = 16 << 20;
const KINDS = {
  listing: "a listing", preview: "a preview", "totals-report": "an audit report",
  "totals-aggregate": "an aggregated halo2 audit report", "dataset-key": "a dataset key",
  "seller-secret": "a seller secret", "kzg-params": "a halo2 parameters description",
  "key-note": "a key note", "buyer-key": "a buyer key",
};

let wasm; // the compiled module, shared with the delivery workers
let verifier;
const keys = { server: false, manifest: null, files: new Map() };

/** A refusal the page shows as a verdict (not a bug). */
class Refusal extends Error {}

function setVerdict(el, outcome, text) {
  el.dataset.outcome = outcome;
  el.textContent = text;
}

function status(text) {
  $("status").textContent = text;
}

/** The text of a JSON file the user gave, refused when it is too large to be one. */
async function readJsonFile(file, expected) {
  if (!file) return null;
  if (file.size > JSON_LIMIT) {
    throw new Refusal(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MiB: not ${KINDS[expected]} (those are JSON files of a few kilobytes)`);
  }
  const text = await file.text();
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal(`malformed input: ${file.name} is not JSON (expected ${KINDS[expected]})`);
  }
  const kinds = Array.isArray(expected) ? expected : [expected];
  const kind = value && typeof value === "object" ? value.kind : undefined;
  if (!kinds.includes(kind)) {
    const is = KINDS[kind] ?? (kind ? `a file of kind ${JSON.stringify(kind)}` : "no Veil file");
    throw new Refusal(`${file.name} is ${is}; expected ${kinds.map((k) => KINDS[k]).join(" or ")}`);
  }
  return { text, value, name: file.name };
}

/** Bytes of a verifying-key file: one the user added, or the server's. */
async function keyBytes(name) {
  const base = name.split("/").pop();
  const given = keys.files.get(name) ?? keys.files.get(base);
  if (given) return given;
  if (!keys.server) {
    throw new Refusal(`keys: add the verifying key ${base} (section Keys): this page has no server to fetch it from`);
  }
  const resp = await fetch(`v1/keys/${name}`);
  if (!resp.ok) throw new Refusal(`keys: the server has no ${name} (${resp.status})`);
  return new Uint8Array(await resp.arrayBuffer());
}

/**
 * The halo2 verifying key a proof names: the current circuit layout's (`halo2/ID.l2.vk`), or,
 * for a proof made under layout 1, that layout's key (`halo2/ID.vk`) when it has the digest the
 * proof names. Otherwise the current one, which checkDigest then refuses by name.
 */
async function halo2Key(id, envelope) {
  const current = await keyBytes(`halo2/${id}.l2.vk`);
  if (!envelope?.vk_sha256 || verifier.sha256(current) === envelope.vk_sha256) return current;
  try {
    const first = await keyBytes(`halo2/${id}.vk`);
    if (verifier.sha256(first) === envelope.vk_sha256) return first;
  } catch {
    // No layout 1 key: the current one is refused below, naming the digests.
  }
  return current;
}

/** The manifest entry of a key id, when a manifest is known. */
const manifestEntry = (id) => keys.manifest?.keys?.[id] ?? null;

/**
 * Checks a key's digest against the manifest's (Groth16 keys: the manifest lists no halo2
 * key) and the proof's; returns what was checked.
 */
function checkDigest(bytes, id, envelope, groth16 = true) {
  const digest = verifier.sha256(bytes);
  const entry = groth16 ? manifestEntry(id) : null;
  const listed = entry?.verifying_key?.sha256;
  if (listed && listed !== digest) {
    throw new Refusal(`keys: the verifying key of ${id} has SHA-256 ${digest}; the manifest says ${listed}`);
  }
  if (envelope?.vk_sha256 && envelope.vk_sha256 !== digest) {
    throw new Refusal(`keys: the proof was made for verifying key ${envelope.vk_sha256}, not ${digest} (${id})`);
  }
  return { digest, listed: Boolean(listed) };
}

function provenance(id, kzgInfo) {
  if (kzgInfo) {
    return kzgInfo.insecure_dev_setup
      ? "halo2 parameters from an insecure local setup (development only: their maker can forge proofs)"
      : "halo2 parameters from a powers-of-tau ceremony";
  }
  const entry = manifestEntry(id);
  if (!entry) return "Key provenance unknown (no manifest)";
  if (entry.ceremony) {
    return `Key from a ceremony (${entry.ceremony.contributions?.length ?? 0} contributions, circuit hash ${String(entry.ceremony.circuit_hash).slice(0, 18)}…)`;
  }
  return entry.insecure_dev_setup
    ? "Key from an insecure single-party setup (development only: its maker can forge proofs)"
    : "Key from a trusted setup";
}

function verdictFrom(r) {
  return { outcome: r.ok ? "accepted" : "refused", text: r.ok ? `ACCEPTED: ${r.message.replace(/^OK: /, "")}` : `REFUSED: ${r.message}` };
}

function cellText(cell) {
  if (cell === "redacted") return null;
  if (cell && typeof cell === "object" && "utf8" in cell) return cell.utf8;
  if (cell && typeof cell === "object" && "hex" in cell) return `0x${cell.hex}`;
  return JSON.stringify(cell);
}

function renderRows(table, columns, samples) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const name of ["row", ...columns]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = name;
    head.append(th);
  }
  const body = table.createTBody();
  for (const s of samples) {
    const tr = body.insertRow();
    const idx = tr.insertCell();
    idx.className = "num";
    idx.textContent = s.index;
    for (const cell of s.cells) {
      const td = tr.insertCell();
      const text = cellText(cell);
      if (text === null) {
        td.className = "redacted";
        td.textContent = "redacted";
      } else {
        td.textContent = text;
      }
    }
  }
}

function renderChecks(list, items) {
  list.replaceChildren(...items.map((t) => {
    const li = document.createElement("li");
    li.textContent = t;
    return li;
  }));
}

async function checkPreview() {
  const out = $("preview-verdict");
  renderChecks($("preview-checks"), []);
  $("preview-rows").replaceChildren();
  const [lf, pf] = [$("preview-listing").files[0], $("preview-file").files[0]];
  if (!lf || !pf) {
    setVerdict(out, "none", "");
    return;
  }
  setVerdict(out, "working", "Checking…");
  const t0 = performance.now();
  const listing = await readJsonFile(lf, "listing");
  const preview = await readJsonFile(pf, "preview");
  const env = preview.value.proof ?? {};
  const id = String(env.key ?? "");
  let r;
  let keyNote;
  let kzg = null;
  if (String(env.backend).startsWith("halo2")) {
    if (!verifier.halo2) throw new Refusal("this verifier was built without halo2");
    const vk = await halo2Key(id, env);
    keyNote = checkDigest(vk, id, env, false);
    const info = new TextDecoder().decode(await keyBytes("kzg-bn254.json"));
    try {
      kzg = JSON.parse(info);
    } catch {
      throw new Refusal("keys: kzg-bn254.json is not JSON");
    }
    r = verifier.verifyPreviewHalo2(preview.text, listing.text, vk, info);
  } else {
    const entry = manifestEntry(id);
    const vk = await keyBytes(entry?.verifying_key?.file ?? `${id}.vk`);
    keyNote = checkDigest(vk, id, env);
    const openingId = preview.value.ciphertext?.proof?.key;
    if (openingId) {
      const ovk = await keyBytes(manifestEntry(openingId)?.verifying_key?.file ?? `${openingId}.vk`);
      checkDigest(ovk, openingId, preview.value.ciphertext.proof);
      r = verifier.verifyBoundPreview(preview.text, listing.text, vk, ovk);
    } else {
      r = verifier.verifyPreview(preview.text, listing.text, vk);
    }
  }
  const ms = performance.now() - t0;
  const v = verdictFrom(r);
  setVerdict(out, v.outcome, v.text);
  out.dataset.ms = ms.toFixed(1);
  if (!r.ok) return;
  const l = listing.value;
  const p = preview.value;
  renderChecks($("preview-checks"), [
    `Commitment ${p.commitment} is the listing's: dataset ${JSON.stringify(l.dataset_id)}, ${l.records} records, depth ${l.depth}`,
    `Challenge ${p.challenge} drew rows ${p.samples.map((s) => s.index).join(", ")} (the proof binds each index to it)`,
    `Revealed columns: ${(p.revealed_columns ?? []).join(", ") || "none"}; the other cells are redacted`,
    `Backend ${env.backend}, key ${id}`,
    `Verifying key SHA-256 ${keyNote.digest}${keyNote.listed ? ", the server's manifest's" : ""}${env.vk_sha256 ? ", the one the proof names" : ""}`,
    provenance(id, kzg),
    p.ciphertext ? "Revealed cells read from the ciphertext on offer (opening proof verified)" : "The listing names no ciphertext",
    `Checked in ${ms.toFixed(0)} ms in this page`,
  ]);
  renderRows($("preview-rows"), l.schema.columns, p.samples);
}

async function checkReport() {
  const out = $("report-verdict");
  $("report-totals").replaceChildren();
  const f = $("report-file").files[0];
  const root = $("report-root").value.trim();
  if (!f) {
    setVerdict(out, "none", "");
    return;
  }
  const report = await readJsonFile(f, ["totals-report", "totals-aggregate"]);
  if (report.value.kind === "totals-aggregate") {
    setVerdict(out, "unchecked", `NOT CHECKED HERE: ${f.name} is an aggregated halo2 report (one folded proof); this page does not carry the aggregation verifier: check it with \`veil audit verify\``);
    return;
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(root)) {
    setVerdict(out, "none", root ? "The published root is 0x and 64 hex digits." : "Enter the receipt root the marketplace published.");
    return;
  }
  setVerdict(out, "working", "Checking…");
  const id = String(report.value.batches?.[0]?.key ?? "");
  const entry = manifestEntry(id);
  const vk = await keyBytes(entry?.verifying_key?.file ?? `${id}.vk`);
  const keyNote = checkDigest(vk, id, report.value.batches?.[0]);
  const r = verifier.verifyReport(report.text, vk, root);
  const v = verdictFrom(r);
  setVerdict(out, v.outcome, `${v.text}${r.ok ? ` (key ${id}, SHA-256 ${keyNote.digest}; ${provenance(id, null)})` : ""}`);
  if (!r.ok) return;
  const d = r.details;
  const t = $("report-totals");
  const cap = t.createCaption();
  cap.textContent = `Seller ${d.seller}, period [${d.from}, ${d.to}), fees at ${d.bps} bps, ${d.batches} batch proofs`;
  const head = t.createTHead().insertRow();
  for (const h of ["", "sales", "amount"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const body = t.createTBody();
  const row = (name, count, amount) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    tr.append(th);
    for (const x of [count, amount]) {
      const td = tr.insertCell();
      td.className = "num";
      td.textContent = x;
    }
  };
  row("total", d.count, d.amount);
  row(`fees (${d.bps} bps)`, "", d.fees);
  for (const b of d.bands) row(`band [${b.from}, ${b.to ?? "∞"})`, b.count, b.amount);
}

let deliveryWorker = null;

/** Whether a delivered file is a ciphertext: its first line is a `.veilct` header. */
async function isCiphertext(file) {
  const head = new TextDecoder().decode(await file.slice(0, 256).arrayBuffer());
  return head.startsWith('{"veil":') && head.includes('"kind":"ciphertext"');
}

/** The decrypted file's name: the ciphertext's without `.veilct`, with its format's extension. */
function plaintextName(name, format) {
  const stem = name.replace(/\.veilct$/, "") || "delivery";
  const ext = { csv: ".csv", jsonl: ".jsonl", chunks: ".bin" }[format] ?? "";
  return stem.includes(".") ? stem : stem + ext;
}

/** The verdict on a ciphertext: checked before payment, or decrypted. */
function ciphertextVerdict(r, name, decrypted, opened) {
  if (!r.ok) return verdictFrom(r);
  const d = JSON.parse(r.message);
  if (decrypted) {
    const note = opened ? `the key note ${opened}, opened with your buyer key, holds the listing's key; ` : "";
    return { outcome: "accepted", text: `ACCEPTED: ${note}${name} decrypts to the file listing ${JSON.stringify(d.dataset_id)} commits: every one of its ${d.records} records is the committed one, and the file's SHA-256 is the listed one` };
  }
  return { outcome: "accepted", text: `ACCEPTED before payment: ${name} is the ciphertext listing ${JSON.stringify(d.dataset_id)} names (${d.records} records of ${d.record_elements} elements, E = ${d.ciphertext_root}); its leaves rebuild the committed root, so each record is the committed one or a dispute proves it is not. Add the dataset key, or the seller's key note and your buyer key, to decrypt it here.` };
}

let deliveryModule = null; // Promise of { wasm, arithmetic } for the delivery check

/**
 * The module the delivery check runs: the relaxed-SIMD build (two Poseidon2 permutations at
 * once) when this browser compiles it and its self-check against arkworks' permutation passes,
 * else the page's own. Fetched at the first delivery, never at page load.
 */
function deliveryWasm() {
  deliveryModule ??= (async () => {
    try {
      const resp = await fetch("veil_verifier_relaxed.wasm");
      if (resp.ok) {
        const bytes = await resp.arrayBuffer();
        if (WebAssembly.validate(bytes)) {
          const relaxed = await WebAssembly.compile(bytes);
          if ((await loadVerifier(relaxed)).twoLanes(16) === 2) return { wasm: relaxed, arithmetic: "two-lane f64 FMA" };
        }
      }
    } catch {
      // Any failure leaves the plain build, which checks the same thing more slowly.
    }
    return { wasm, arithmetic: "29-bit limbs" };
  })();
  return deliveryModule;
}

async function checkDelivery() {
  const out = $("delivery-verdict");
  const [lf, df, kf] = [$("delivery-listing").files[0], $("delivery-file").files[0], $("delivery-key").files[0]];
  const download = $("delivery-download");
  download.hidden = true;
  if (download.href) URL.revokeObjectURL(download.href);
  download.removeAttribute("href");
  const encrypted = df ? await isCiphertext(df) : false;
  if (!lf || !df || (!kf && !encrypted)) {
    setVerdict(out, "none", "");
    return;
  }
  const listing = await readJsonFile(lf, "listing");
  let key = kf ? await readJsonFile(kf, ["dataset-key", "seller-secret"]) : null;
  // A key note and the buyer key open to the dataset key, in this tab.
  const [nf, bf] = [$("delivery-note").files[0], $("delivery-buyer").files[0]];
  let opened = null;
  if (!key && encrypted && nf && bf) {
    const note = await readJsonFile(nf, "key-note");
    const buyer = await readJsonFile(bf, "buyer-key");
    const r = verifier.openNote(note.text, listing.text, buyer.text);
    if (!r.ok) throw new Refusal(`the key note ${nf.name} does not open to this listing's key: ${r.message}`);
    key = { text: r.message, value: JSON.parse(r.message), name: nf.name };
    opened = nf.name;
  }
  const module = await deliveryWasm();
  deliveryWorker?.terminate();
  const bar = $("delivery-progress");
  const rate = $("delivery-rate");
  const box = bar.parentElement;
  box.hidden = false;
  bar.value = 0;
  rate.textContent = "";
  setVerdict(out, "working", `Reading ${df.name} (${(df.size / 2 ** 20).toFixed(1)} MiB)…`);
  const workers = encrypted ? 1 : Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4));
  const worker = new Worker(new URL("./delivery-worker.mjs", import.meta.url), { type: "module" });
  deliveryWorker = worker;
  const t0 = performance.now();
  const finish = (outcome, text) => {
    worker.terminate();
    if (deliveryWorker === worker) deliveryWorker = null;
    box.hidden = outcome !== "accepted" && outcome !== "refused" ? box.hidden : false;
    setVerdict(out, outcome, text);
  };
  $("delivery-cancel").onclick = () => finish("refused", `Stopped: ${df.name} was not checked to the end`);
  worker.onmessage = ({ data }) => {
    const s = (performance.now() - t0) / 1000;
    if (data.progress !== undefined) {
      bar.value = data.progress / df.size;
      rate.textContent = `${(data.progress / 2 ** 20).toFixed(0)} of ${(df.size / 2 ** 20).toFixed(0)} MiB, ${(data.progress / 2 ** 20 / Math.max(s, 1e-3)).toFixed(1)} MiB/s`;
    } else if (data.result) {
      bar.value = 1;
      const mibs = df.size / 2 ** 20 / Math.max(s, 1e-3);
      rate.textContent = `${(df.size / 2 ** 20).toFixed(1)} MiB in ${s.toFixed(2)} s: ${mibs.toFixed(1)} MiB/s, ${workers} worker${workers > 1 ? "s" : ""}, ${module.arithmetic}`;
      out.dataset.seconds = s.toFixed(3);
      out.dataset.workers = workers;
      out.dataset.arithmetic = module.arithmetic;
      const v = encrypted ? ciphertextVerdict(data.result, df.name, key !== null, opened) : verdictFrom(data.result);
      if (data.plaintext) {
        download.href = URL.createObjectURL(data.plaintext);
        download.download = plaintextName(df.name, listing.value.schema?.format);
        download.textContent = `Save the decrypted file (${(data.plaintext.size / 2 ** 20).toFixed(1)} MiB)`;
        download.hidden = false;
      }
      finish(v.outcome, v.text);
    } else if (data.error) {
      finish("refused", `REFUSED: ${data.error}`);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    finish("refused", `REFUSED: the delivery check stopped: ${e.message}`);
  };
  const role = encrypted ? "ciphertext" : "coordinator";
  worker.postMessage({ role, file: df, listing: listing.text, key: key?.text ?? null, wasm: module.wasm, workers });
}

/** Runs a check, turning every failure into a verdict on the page (never an uncaught error). */
function guarded(check, verdictId) {
  return async () => {
    try {
      await check();
    } catch (e) {
      const text = e instanceof Refusal ? `REFUSED: ${e.message}` : `REFUSED: the page could not check this: ${e?.message ?? e}`;
      setVerdict($(verdictId), "refused", text);
    }
  };
}

/** The file inputs a dropped file may fill, by the kind of file it is. */
async function kindOf(file) {
  if (file.size > JSON_LIMIT) return null;
  try {
    return JSON.parse(await file.text())?.kind ?? null;
  } catch {
    return null;
  }
}

function wireDrop(section, slots, fallback, run) {
  section.addEventListener("dragover", (e) => {
    e.preventDefault();
    section.classList.add("dragging");
  });
  section.addEventListener("dragleave", () => section.classList.remove("dragging"));
  section.addEventListener("drop", async (e) => {
    e.preventDefault();
    e.stopPropagation();
    section.classList.remove("dragging");
    for (const file of e.dataTransfer.files) {
      const kind = await kindOf(file);
      const id = slots[kind] ?? fallback;
      if (!id) continue;
      const dt = new DataTransfer();
      dt.items.add(file);
      $(id).files = dt.files;
    }
    run();
  });
}

async function findServerKeys() {
  const note = $("keys-status");
  if (location.protocol === "file:") {
    note.textContent = "Opened as a file: add the verifying keys below.";
    return;
  }
  try {
    const resp = await fetch("v1/keys");
    if (resp.ok) {
      keys.manifest = await resp.json();
      keys.server = true;
      const n = Object.keys(keys.manifest.keys ?? {}).length;
      note.textContent = `Verifying keys from this server: ${n} Groth16 key${n === 1 ? "" : "s"} in its manifest (halo2 keys on demand).`;
    } else {
      note.textContent = "This server publishes no keys: add the verifying keys below.";
    }
  } catch {
    note.textContent = "No server to fetch keys from: add the verifying keys below.";
  }
}

async function addKeyFiles() {
  for (const f of $("keys-files").files) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    if (f.name === "manifest.json") {
      try {
        keys.manifest = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        $("keys-status").textContent = "manifest.json is not JSON";
        continue;
      }
    }
    keys.files.set(f.name, bytes);
  }
  $("keys-status").textContent = `Added ${[...keys.files.keys()].join(", ")}.`;
}

async function start() {
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  try {
    const resp = await fetch("veil_verifier.wasm");
    if (!resp.ok) throw new Error(`veil_verifier.wasm: ${resp.status} ${(await resp.text()).slice(0, 300)}`);
    wasm = await WebAssembly.compile(await resp.arrayBuffer());
    verifier = await loadVerifier(wasm);
  } catch (e) {
    status(`The verifier could not be loaded: ${e.message}`);
    return;
  }
  await findServerKeys();
  const preview = guarded(checkPreview, "preview-verdict");
  const delivery = guarded(checkDelivery, "delivery-verdict");
  const report = guarded(checkReport, "report-verdict");
  for (const id of ["preview-listing", "preview-file"]) $(id).addEventListener("change", preview);
  for (const id of ["delivery-listing", "delivery-file", "delivery-key", "delivery-note", "delivery-buyer"]) $(id).addEventListener("change", delivery);
  $("report-file").addEventListener("change", report);
  $("report-root").addEventListener("input", report);
  $("keys-files").addEventListener("change", () => addKeyFiles().then(preview).then(report));
  wireDrop($("preview"), { listing: "preview-listing", preview: "preview-file" }, null, preview);
  wireDrop($("delivery"), { listing: "delivery-listing", "dataset-key": "delivery-key", "seller-secret": "delivery-key", "key-note": "delivery-note", "buyer-key": "delivery-buyer" }, "delivery-file", delivery);
  wireDrop($("report"), { "totals-report": "report-file", "totals-aggregate": "report-file" }, null, report);
  status(`Verifier ready (Groth16${verifier.halo2 ? " and halo2" : ""}). Nothing you add leaves this page.`);
  document.body.dataset.ready = "true";
}

start();
