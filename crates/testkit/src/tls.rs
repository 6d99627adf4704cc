//! Certificates for TLS test servers, made with `openssl`: a private certificate authority, a
//! server certificate for `127.0.0.1` and a client certificate, all signed by it.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

use crate::process::{run, which};

/// The files a TLS client of a test server needs (PEM): the authority to trust and a client
/// certificate with its key. The server presents `server.crt` from the same folder.
#[derive(Debug, Clone)]
pub struct TestTls {
    /// The private certificate authority.
    pub ca_file: PathBuf,
    /// A client certificate signed by it.
    pub cert_file: PathBuf,
    /// The client certificate's key (PKCS#8).
    pub key_file: PathBuf,
    dir: PathBuf,
}

impl TestTls {
    /// Makes an authority, a server and a client certificate in `dir`.
    pub(crate) fn make(dir: &Path) -> Result<Self> {
        let openssl = which("openssl").context("openssl not found: apt-get install openssl")?;
        let ext = |name: &str, text: &str| -> Result<PathBuf> {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            Ok(path)
        };
        let file = |name: &str| dir.join(name).display().to_string();
        let new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        run(Command::new(&openssl)
            .args(["req", "-x509", "-days", "3", "-subj", "/CN=Tessera test CA"])
            .args(new_key)
            .args(["-keyout", &file("ca.key"), "-out", &file("ca.crt")])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]))?;
        // The servers also present their certificate as clients (replication, sentinels).
        let server_ext = ext(
            "server.ext",
            "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n",
        )?;
        let client_ext = ext(
            "client.ext",
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=clientAuth\n",
        )?;
        for (name, subject, extensions) in
            [("server", "/CN=127.0.0.1", server_ext), ("client", "/CN=tessera", client_ext)]
        {
            let csr = file(&format!("{name}.csr"));
            run(Command::new(&openssl)
                .args(["req", "-new", "-subj", subject])
                .args(new_key)
                .args(["-keyout", &file(&format!("{name}.key")), "-out", &csr]))?;
            run(Command::new(&openssl)
                .args(["x509", "-req", "-days", "3", "-in", &csr])
                .args(["-CA", &file("ca.crt"), "-CAkey", &file("ca.key"), "-CAcreateserial"])
                .args(["-out", &file(&format!("{name}.crt")), "-extfile"])
                .arg(&extensions))?;
        }
        Ok(Self {
            ca_file: dir.join("ca.crt"),
            cert_file: dir.join("client.crt"),
            key_file: dir.join("client.key"),
            dir: dir.to_owned(),
        })
    }

    /// Redis settings serving TLS only, on `port`, with these files: the server asks its clients
    /// for a certificate (Redis's default) and replicates (or watches masters) over TLS.
    fn settings(&self, port: u16) -> Vec<(&'static str, String)> {
        let file = |name: &str| self.dir.join(name).display().to_string();
        vec![
            ("port", "0".into()),
            ("tls-port", port.to_string()),
            ("tls-cert-file", file("server.crt")),
            ("tls-key-file", file("server.key")),
            ("tls-ca-cert-file", file("ca.crt")),
            ("tls-auth-clients", "yes".into()),
            ("tls-replication", "yes".into()),
        ]
    }

    /// [`Self::settings`] as `redis-server` options.
    pub(crate) fn server_options(&self, port: u16) -> String {
        self.settings(port).iter().map(|(name, value)| format!("--{name} {value} ")).collect()
    }

    /// [`Self::settings`] as lines of a configuration file (sentinel.conf).
    pub(crate) fn config_lines(&self, port: u16) -> String {
        self.settings(port).iter().map(|(name, value)| format!("{name} {value}\n")).collect()
    }

    /// `redis-cli` arguments to talk to such a server.
    pub(crate) fn cli_args(&self) -> Vec<String> {
        let file = |path: &Path| path.display().to_string();
        vec![
            "--tls".into(),
            "--cacert".into(),
            file(&self.ca_file),
            "--cert".into(),
            file(&self.cert_file),
            "--key".into(),
            file(&self.key_file),
        ]
    }
}
