//! The key note parser: never panics, and what it accepts survives its own JSON.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    veil_verifier::formats::fuzz_parse::<veil_verifier::formats::KeyNoteFile>(data)
});
