package com.deliverychannels.bounce;

import java.net.URI;
import java.security.cert.X509Certificate;

/** Where {@link SnsSignatureVerifier} gets the certificate named by a message's {@code SigningCertURL}. */
public interface SigningCertificates {

    /**
     * The certificate published at {@code url}. The caller has already checked that the URL is on an
     * accepted SNS host; implementations only fetch and read it.
     *
     * @throws SnsVerificationException {@code CERT_UNAVAILABLE} when it cannot be fetched now (a later try
     *                                  may succeed), {@code CERT_INVALID} when what was fetched is not a
     *                                  certificate, {@code BAD_CERT_URL} when the URL is not https
     */
    X509Certificate certificate(URI url);
}
