package com.deliverychannels.bounce;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

import com.deliverychannels.bounce.SnsVerificationException.Reason;

/**
 * Proves that an SNS envelope posted to the webhook was signed by Amazon SNS and is current, following
 * AWS's "Verifying the signatures of Amazon SNS messages". Anyone can POST to the webhook, so nothing in
 * an envelope is believed before this passes. The cheap checks (version, certificate URL, age, signature
 * encoding) come first, so that a forged message never makes us fetch anything.
 */
public final class SnsSignatureVerifier {
    /** A sender's clock may run ahead of ours; more than this is not skew but a message signed for later. */
    public static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(15);
    /** The subject of the certificates SNS signs with in the commercial regions. */
    static final String SNS_COMMON_NAME = "sns.amazonaws.com";
    /** An SNS endpoint host: {@code sns.<region>.amazonaws.com} or {@code sns.<region>.amazonaws.com.cn}. */
    private static final Pattern SNS_HOST = Pattern.compile("sns\\.([a-z0-9-]+)\\.(amazonaws\\.com(?:\\.cn)?)");

    private final SigningCertificates certificates;
    private final Pattern certUrlPattern;
    private final Clock clock;
    private final Duration maxAge;

    /**
     * @param certificates   where signing certificates come from, once their URL has passed
     * @param certUrlPattern what a {@code SigningCertURL} or {@code SubscribeURL} must match entirely
     *                       ({@code SNS_CERT_URL_PATTERN})
     * @param clock          the time messages and certificates are judged at
     * @param maxAge         how old a {@code Timestamp} may be (AWS: one hour)
     */
    public SnsSignatureVerifier(SigningCertificates certificates, Pattern certUrlPattern, Clock clock,
            Duration maxAge) {
        this.certificates = certificates;
        this.certUrlPattern = certUrlPattern;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /**
     * Passes when the envelope is signed by SNS, with a supported signature version, by a certificate
     * fetched from an accepted SNS host that is valid now and issued to SNS, and when its timestamp is
     * within {@code maxAge} before now and {@link #MAX_FUTURE_SKEW} after.
     *
     * @throws SnsVerificationException with the first rule that fails: {@code MALFORMED} (a signed field
     *                                  missing), {@code UNSUPPORTED_VERSION}, {@code BAD_CERT_URL},
     *                                  {@code STALE}, {@code FUTURE}, {@code BAD_SIGNATURE}, {@code CERT_UNAVAILABLE},
     *                                  {@code CERT_INVALID}
     */
    public void verify(SnsEnvelope envelope) {
        require(envelope.signatureVersion(), "SignatureVersion");
        require(envelope.signature(), "Signature");
        require(envelope.signingCertUrl(), "SigningCertURL");
        String algorithm = algorithm(envelope.signatureVersion());
        URI certUrl = acceptedUrl(envelope.signingCertUrl(), "SigningCertURL");
        requireCurrent(envelope.publishedAt());
        byte[] signature = decode(envelope.signature());
        byte[] signed = stringToSign(envelope).getBytes(StandardCharsets.UTF_8);

        X509Certificate certificate = certificates.certificate(certUrl);
        requireUsable(certificate, certUrl);
        requireSignature(algorithm, certificate, signed, signature);
    }

    /**
     * Passes when {@code url} may be visited to confirm a subscription: https on an accepted SNS host, the
     * same rule as for certificates. Visiting a {@code SubscribeURL} from a forged or replayed message
     * would otherwise let anyone make us send requests wherever they like.
     *
     * @throws SnsVerificationException {@code BAD_CERT_URL} otherwise
     */
    public void checkUrl(String url) {
        acceptedUrl(url, "SubscribeURL");
    }

    /*
     * SignatureVersion 1 signs a SHA1 digest, 2 a SHA256 digest ("Verifying the signatures of Amazon SNS
     * messages"). Any other value is refused rather than guessed: a verifier that falls back to a default
     * invites downgrades.
     */
    private static String algorithm(String signatureVersion) {
        return switch (signatureVersion) {
            case "1" -> "SHA1withRSA";
            case "2" -> "SHA256withRSA";
            default -> throw new SnsVerificationException(Reason.UNSUPPORTED_VERSION,
                    "SignatureVersion " + printable(signatureVersion));
        };
    }

    /*
     * AWS: "Always use HTTPS when getting the certificate" and "Verify the certificate was received from
     * Amazon SNS". Without the host rule, a forger would sign with a key of his own and name his own
     * certificate. The URL is parsed too, so that user-info or an odd scheme cannot slip past a loose
     * pattern.
     */
    private URI acceptedUrl(String url, String field) {
        if (url == null || url.isEmpty()) {
            throw new SnsVerificationException(Reason.BAD_CERT_URL, field + " missing");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new SnsVerificationException(Reason.BAD_CERT_URL, field + " is not a URL");
        }
        if (!"https".equals(uri.getScheme())) {
            throw new SnsVerificationException(Reason.BAD_CERT_URL, field + " is not https");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new SnsVerificationException(Reason.BAD_CERT_URL, field + " has no plain host name");
        }
        if (!certUrlPattern.matcher(url).matches()) {
            throw new SnsVerificationException(Reason.BAD_CERT_URL,
                    field + " host " + uri.getHost() + " does not match SNS_CERT_URL_PATTERN");
        }
        return uri;
    }

    /*
     * A captured message stays validly signed for ever; the age limit bounds how long it can be replayed.
     * AWS's verifiers refuse messages over an hour old. A retried webhook delivery carries the original
     * Timestamp; SNS's default HTTP/S delivery policy makes its last retry about a minute after the first.
     */
    private void requireCurrent(Instant publishedAt) {
        Instant now = clock.instant();
        if (publishedAt.isBefore(now.minus(maxAge))) {
            throw new SnsVerificationException(Reason.STALE, "Timestamp older than " + maxAge);
        }
        if (publishedAt.isAfter(now.plus(MAX_FUTURE_SKEW))) {
            throw new SnsVerificationException(Reason.FUTURE, "Timestamp more than " + MAX_FUTURE_SKEW + " ahead");
        }
    }

    private static byte[] decode(String signature) {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new SnsVerificationException(Reason.BAD_SIGNATURE, "Signature is not Base64");
        }
    }

    /**
     * The string SNS signs: for each key of the message type, in this (byte) order, the key, a line feed,
     * the value, a line feed ("Verifying the signatures of Amazon SNS messages"). {@code Subject} takes
     * part only in notifications, and only when the message has one.
     */
    static String stringToSign(SnsEnvelope envelope) {
        StringBuilder text = new StringBuilder(envelope.message().length() + 512);
        switch (envelope.type()) {
            case SnsEnvelope.NOTIFICATION -> {
                append(text, "Message", envelope.message());
                append(text, "MessageId", envelope.messageId());
                if (envelope.subject() != null) {
                    append(text, "Subject", envelope.subject());
                }
                append(text, "Timestamp", envelope.timestamp());
                append(text, "TopicArn", envelope.topicArn());
                append(text, "Type", envelope.type());
            }
            case SnsEnvelope.SUBSCRIPTION_CONFIRMATION, SnsEnvelope.UNSUBSCRIBE_CONFIRMATION -> {
                append(text, "Message", envelope.message());
                append(text, "MessageId", envelope.messageId());
                append(text, "SubscribeURL", envelope.subscribeUrl());
                append(text, "Timestamp", envelope.timestamp());
                append(text, "Token", envelope.token());
                append(text, "TopicArn", envelope.topicArn());
                append(text, "Type", envelope.type());
            }
            default -> throw new SnsVerificationException(Reason.MALFORMED, "unknown Type");
        }
        return text.toString();
    }

    private static void append(StringBuilder text, String key, String value) {
        require(value, key);
        text.append(key).append('\n').append(value).append('\n');
    }

    /*
     * AWS: "Validate the authenticity of the certificate". An expired certificate may have had its key
     * retired or leaked; one not issued to SNS is not SNS's, wherever it was found. AWS's SDKs expect
     * CN=sns.amazonaws.com in the commercial regions and a region-specific name elsewhere (opt-in regions
     * use sns-signing.<region>.amazonaws.com, China sns-<region>.amazonaws.com.cn); the region-specific
     * names are accepted only from that region's own host.
     */
    private void requireUsable(X509Certificate certificate, URI certUrl) {
        try {
            certificate.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new SnsVerificationException(Reason.CERT_INVALID,
                    "signing certificate not valid at " + clock.instant(), e);
        }
        List<String> names = commonNames(certificate);
        Set<String> accepted = acceptedCommonNames(certUrl.getHost());
        if (names.isEmpty() || !accepted.containsAll(names)) {
            throw new SnsVerificationException(Reason.CERT_INVALID,
                    "signing certificate issued to " + names + ", not to SNS");
        }
    }

    private static Set<String> acceptedCommonNames(String host) {
        Set<String> accepted = new HashSet<>();
        accepted.add(SNS_COMMON_NAME);
        Matcher sns = SNS_HOST.matcher(host.toLowerCase(Locale.ROOT));
        if (sns.matches()) {
            String region = sns.group(1);
            String domain = sns.group(2);
            accepted.add("sns-signing." + region + "." + domain);
            accepted.add("sns-" + region + "." + domain);
            if (domain.endsWith(".cn")) {
                accepted.add("sns.amazonaws.com.cn");
            }
        }
        return accepted;
    }

    private static List<String> commonNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            LdapName subject = new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
            for (Rdn rdn : subject.getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                }
            }
        } catch (InvalidNameException e) {
            throw new SnsVerificationException(Reason.CERT_INVALID, "unreadable certificate subject", e);
        }
        return names;
    }

    private static void requireSignature(String algorithm, X509Certificate certificate, byte[] signed,
            byte[] signature) {
        boolean valid;
        try {
            Signature check = Signature.getInstance(algorithm);
            check.initVerify(certificate.getPublicKey());
            check.update(signed);
            valid = check.verify(signature);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide both algorithms.
            throw new IllegalStateException(algorithm + " missing from this JVM", e);
        } catch (InvalidKeyException e) {
            throw new SnsVerificationException(Reason.CERT_INVALID, "certificate key cannot check " + algorithm, e);
        } catch (SignatureException e) {
            throw new SnsVerificationException(Reason.BAD_SIGNATURE, "Signature unreadable for " + algorithm);
        }
        if (!valid) {
            throw new SnsVerificationException(Reason.BAD_SIGNATURE, "Signature does not match the message");
        }
    }

    private static void require(String value, String key) {
        if (value == null) {
            throw new SnsVerificationException(Reason.MALFORMED, key + " missing");
        }
    }

    /** Short and free of control characters, since the value comes from the sender and ends up in logs. */
    private static String printable(String value) {
        String shown = value.length() > 16 ? value.substring(0, 16) + "…" : value;
        return '"' + shown.replaceAll("\\p{Cntrl}", "?") + '"';
    }
}
