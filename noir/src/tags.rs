//! The Noir tag table (`noir/veil/src/tags.nr`) is generated from the Rust one, so the two
//! cannot drift: a test compares the file with [`noir_source`].

use veil_circuits::tags::ALL;

/// The contents of `noir/veil/src/tags.nr`.
pub fn noir_source() -> String {
    let mut s = String::from(
        "//! Domain-separation tags: the big-endian integer of each ASCII name. Generated from the Rust\n\
         //! table `veil_circuits::tags::ALL` (a test in `veil-noir` checks this file against it).\n\n",
    );
    for (name, value) in ALL {
        let ident = name
            .trim_start_matches("veil/")
            .replace('-', "_")
            .to_uppercase();
        s.push_str(&format!(
            "/// `{name}`\npub global {ident}: Field = 0x{value:x};\n"
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noir_tag_file_is_generated_from_the_rust_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("veil/src/tags.nr");
        if std::env::var_os("VEIL_BLESS").is_some() {
            std::fs::write(&path, noir_source()).unwrap();
        }
        let file = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            file,
            noir_source(),
            "{} is stale: regenerate it with VEIL_BLESS=1 cargo test -p veil-noir",
            path.display()
        );
    }
}
