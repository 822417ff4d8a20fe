#!/usr/bin/env python3
"""libsodium's sealed box (crypto_box_seal), through the system's libsodium, for Veil's key
note cross test: an implementation no one here wrote opens what Veil seals, and seals what
Veil opens.

  sodium-sealed-box.py derive SK       box secret and public key of buyer key SK (0x.., 32 bytes):
                                       secret = SHA-256("veil/key-note-box-v1" || SK big-endian)
  sodium-sealed-box.py open SECRET HEX crypto_box_seal_open with the box secret SECRET
  sodium-sealed-box.py seal PUBLIC HEX crypto_box_seal to the box public key PUBLIC

Prints hex. Exit status 3 when libsodium is not installed (Debian: libsodium23).
"""
import ctypes
import ctypes.util
import hashlib
import sys

SEALBYTES = 48


def sodium():
    name = ctypes.util.find_library("sodium") or "libsodium.so.23"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        print("libsodium is not installed (Debian: apt-get install libsodium23)", file=sys.stderr)
        sys.exit(3)
    if lib.sodium_init() < 0:
        sys.exit("sodium_init failed")
    return lib


def public_of(lib, secret):
    q = ctypes.create_string_buffer(32)
    if lib.crypto_scalarmult_base(q, secret) != 0:
        sys.exit("crypto_scalarmult_base failed")
    return q.raw


def main():
    lib = sodium()
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "derive":
        sk = bytes.fromhex(args[0].removeprefix("0x"))
        assert len(sk) == 32, "a buyer key is 32 bytes"
        secret = hashlib.sha256(b"veil/key-note-box-v1" + sk).digest()
        print(secret.hex())
        print(public_of(lib, secret).hex())
    elif cmd == "open":
        secret, c = bytes.fromhex(args[0]), bytes.fromhex(args[1])
        m = ctypes.create_string_buffer(len(c) - SEALBYTES)
        pk = public_of(lib, secret)
        if lib.crypto_box_seal_open(m, c, ctypes.c_ulonglong(len(c)), pk, secret) != 0:
            sys.exit("crypto_box_seal_open refused the sealed box")
        print(m.raw.hex())
    elif cmd == "seal":
        pk, m = bytes.fromhex(args[0]), bytes.fromhex(args[1])
        c = ctypes.create_string_buffer(len(m) + SEALBYTES)
        if lib.crypto_box_seal(c, m, ctypes.c_ulonglong(len(m)), pk) != 0:
            sys.exit("crypto_box_seal failed")
        print(c.raw.hex())
    else:
        sys.exit(f"unknown command {cmd!r}")


if __name__ == "__main__":
    main()
