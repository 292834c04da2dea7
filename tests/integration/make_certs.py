#!/usr/bin/python3
"""Makes the certificates the TLS tests need, fresh at every test run (nothing is committed).

Usage: make_certs.py OUTDIR

Writes, all ECDSA P-256 (PEM):
  ca.pem / ca.key            the test CA
  server.pem / server.key    127.0.0.1, ::1 and localhost, signed by the CA
  wronghost.pem / .key       only for "wrong.example", signed by the CA
  expired.pem / .key         127.0.0.1, expired yesterday, signed by the CA
  unknown.pem / .key         127.0.0.1, signed by another CA (unknown_ca.pem)
  client.pem / client.key    a client certificate signed by the CA (mutual TLS)
"""
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def key():
    return ec.generate_private_key(ec.SECP256R1())


def write(outdir, name, cert, k):
    with open(os.path.join(outdir, name + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(outdir, name + ".key"), "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()))


def make_ca(cn):
    k = key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(k.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(k, hashes.SHA256()))
    return cert, k


def make_leaf(ca, ca_key, cn, names, ips, not_before, not_after, client=False):
    k = key()
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(ca.subject).public_key(k.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.ExtendedKeyUsage(
             [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]),
             critical=False))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return b.sign(ca_key, hashes.SHA256()), k


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    now = datetime.datetime.utcnow()
    day = datetime.timedelta(days=1)
    ca, ca_key = make_ca("edgertc test CA")
    write(outdir, "ca", ca, ca_key)
    other, other_key = make_ca("edgertc unknown CA")
    write(outdir, "unknown_ca", other, other_key)
    local = (["localhost"], ["127.0.0.1", "::1"])
    write(outdir, "server", *make_leaf(ca, ca_key, "localhost", *local, now - day, now + 30 * day))
    write(outdir, "wronghost", *make_leaf(ca, ca_key, "wrong.example", ["wrong.example"], [],
                                          now - day, now + 30 * day))
    write(outdir, "expired", *make_leaf(ca, ca_key, "localhost", *local, now - 30 * day, now - day))
    write(outdir, "unknown", *make_leaf(other, other_key, "localhost", *local, now - day,
                                        now + 30 * day))
    write(outdir, "client", *make_leaf(ca, ca_key, "edgertc-device", [], [], now - day,
                                       now + 30 * day, client=True))


if __name__ == "__main__":
    main()
