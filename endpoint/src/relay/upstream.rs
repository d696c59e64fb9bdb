//! The relay's connections to its targets: TCP, or TLS with rustls against the Mozilla roots
//! (webpki-roots), opened within a time limit, speaking HTTP/1.1 with hyper's client, and the
//! server's certificate described for the page.

use super::{Body, Target};
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls::{
    self,
    client::danger,
    pki_types::{CertificateDer, ServerName, UnixTime},
    DigitallySignedStruct as Dss,
};

type Signature = Result<danger::HandshakeSignatureValid, rustls::Error>;

/// The sending half of an upstream HTTP/1.1 connection.
pub type Sender = hyper::client::conn::http1::SendRequest<Body>;

/// An open connection to a target: its sender and, for TLS, the server's certificate described.
pub struct Connected {
    pub sender: Sender,
    pub certificate: Option<String>,
}

/// Opens a connection to `t`: TCP, then TLS for `https://`, then HTTP/1.1, all within `limit`.
pub async fn connect(
    t: &Target,
    tls: &Arc<rustls::ClientConfig>,
    limit: Duration,
) -> Result<Connected, String> {
    match tokio::time::timeout(limit, open(t, tls)).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "{} did not accept a connection within {} s",
            t.url,
            limit.as_secs_f32()
        )),
    }
}

async fn open(t: &Target, tls: &Arc<rustls::ClientConfig>) -> Result<Connected, String> {
    let stream = tokio::net::TcpStream::connect((t.host.as_str(), t.port))
        .await
        .map_err(|e| format!("cannot reach {}: {e}", t.url))?;
    let _ = stream.set_nodelay(true);
    if !t.tls {
        return Ok(Connected {
            sender: http1(stream, &t.url).await?,
            certificate: None,
        });
    }
    let name = ServerName::try_from(t.host.clone()).map_err(|e| format!("{}: {e}", t.host))?;
    let tls = tokio_rustls::TlsConnector::from(tls.clone())
        .connect(name, stream)
        .await
        .map_err(|e| {
            format!("TLS with {} failed: {e} (authscope serve --insecure relays to a server whose certificate does not verify)", t.url)
        })?;
    let certificate = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| describe_certificate(c.as_ref()));
    Ok(Connected {
        sender: http1(tls, &t.url).await?,
        certificate,
    })
}

/// Opens HTTP/1.1 on `io` (a TCP or TLS stream to `url`) and drives the connection in its own
/// task.
async fn http1<IO>(io: IO, url: &str) -> Result<Sender, String>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
        .await
        .map_err(|e| format!("cannot talk HTTP/1.1 to {url}: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// The TLS client: Mozilla's roots, or (`insecure`) any certificate, still reported.
pub fn tls_config(insecure: bool) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| rustls::ClientConfig::builder());
    if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    }
}

/// `--insecure`: accepts any server certificate (signatures are still checked, so the TLS
/// session is with the holder of the key the certificate names).
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<danger::ServerCertVerified, rustls::Error> {
        Ok(danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(&self, m: &[u8], c: &CertificateDer<'_>, d: &Dss) -> Signature {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(&self, m: &[u8], c: &CertificateDer<'_>, d: &Dss) -> Signature {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// An X.509 certificate in one line: subject and issuer common names, expiry, DNS names and
/// the SHA-256 fingerprint (read with authscope's own DER reader, `proto::asn1`).
pub fn describe_certificate(der: &[u8]) -> String {
    use proto::asn1::{self, Tlv};
    use sha2::Digest;
    let fingerprint: String = sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let kids = |t: &Tlv| asn1::children(der, t).unwrap_or_default();
    let cn = |name: &Tlv| -> String {
        for rdn in kids(name) {
            for atv in kids(&rdn) {
                let parts = kids(&atv);
                if let [oid, value] = parts.as_slice() {
                    if asn1::oid(oid.content(der)).as_deref() == Some("2.5.4.3") {
                        return String::from_utf8_lossy(value.content(der)).into_owned();
                    }
                }
            }
        }
        String::new()
    };
    let mut out = vec![];
    let tbs = asn1::read(der, 0, der.len())
        .ok()
        .and_then(|c| kids(&c).into_iter().next());
    if let Some(tbs) = tbs {
        let f = kids(&tbs);
        // [0] version is optional: skip it to find serial, signature, issuer, validity, subject.
        let at = usize::from(f.first().is_some_and(|t| t.is_context(0)));
        if let (Some(issuer), Some(validity), Some(subject)) =
            (f.get(at + 2), f.get(at + 3), f.get(at + 4))
        {
            out.push(format!("subject CN={}", cn(subject)));
            out.push(format!("issuer CN={}", cn(issuer)));
            if let Some(not_after) = kids(validity).get(1) {
                out.push(format!(
                    "not after {}",
                    String::from_utf8_lossy(not_after.content(der))
                ));
            }
        }
        // subjectAltName (2.5.29.17): the DNS names.
        if let Some(ext) = f.iter().find(|t| t.is_context(3)) {
            for e in asn1::read(der, ext.content, ext.end)
                .map(|s| kids(&s))
                .unwrap_or_default()
            {
                let p = kids(&e);
                if p.first().and_then(|o| asn1::oid(o.content(der))).as_deref() != Some("2.5.29.17")
                {
                    continue;
                }
                if let Some(octets) = p.last() {
                    let names: Vec<String> = asn1::read(der, octets.content, octets.end)
                        .map(|s| kids(&s))
                        .unwrap_or_default()
                        .iter()
                        .filter(|n| n.is_context(2))
                        .map(|n| String::from_utf8_lossy(n.content(der)).into_owned())
                        .collect();
                    out.push(format!("DNS {}", names.join(" ")));
                }
            }
        }
    }
    out.push(format!("sha256 {fingerprint}"));
    out.join("; ")
}
