// The fake API server's TLS identity: a self-signed certificate for 127.0.0.1 and localhost (valid until 2126),
// which kubeconfigs name as the certificate authority. kubectl and kdbg send credentials only over TLS.
// Test-only key material; it protects nothing.

export const certificate = `-----BEGIN CERTIFICATE-----
MIIB7jCCAZSgAwIBAgIUZsB0k74awTrlQ4L1Ylwc3G5TWLgwCgYIKoZIzj0EAwIw
KjEoMCYGA1UEAwwfa2RiZyBmYWtlIGFwaXNlcnZlciAodGVzdCBvbmx5KTAgFw0y
NjExMjUwODQ2MTZaGA8yMTI2MTEwMTA4NDYxNlowKjEoMCYGA1UEAwwfa2RiZyBm
YWtlIGFwaXNlcnZlciAodGVzdCBvbmx5KTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABFK1Q+8U0KvioxqCXth+G9nKremJrYTM8eHvHZ7Zp8Tui8HX5tYSO9GKEZS9
nMXD1yEKKo+6by/NHc/BHvaFXtmjgZUwgZIwHQYDVR0OBBYEFDmCk3ovKFG2gW0h
Nk5dOAt4VCN7MB8GA1UdIwQYMBaAFDmCk3ovKFG2gW0hNk5dOAt4VCN7MBoGA1Ud
EQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB
/wQEAwIChDATBgNVHSUEDDAKBggrBgEFBQcDATAKBggqhkjOPQQDAgNIADBFAiEA
22lIzzwQo9Mxppj/wW7yFPuFGPhXoTtaGYEKLWcA+WcCIFJUYzsJlPAHt22Dp9eM
IZjb2sPMa+fambnHqvPnKS5f
-----END CERTIFICATE-----
`;

export const privateKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaN31NOxBEJnP3Hlt
ZwLGd8aORooKhzxE4XIkTHbpiOGhRANCAARStUPvFNCr4qMagl7YfhvZyq3pia2E
zPHh7x2e2afE7ovB1+bWEjvRihGUvZzFw9chCiqPum8vzR3PwR72hV7Z
-----END PRIVATE KEY-----
`;
