package com.deliverychannels.bounce;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Builds SNS HTTP envelopes signed the way Amazon SNS signs them, with the test key in
 * {@code src/test/resources/fixtures/sns-test/} (its certificate says {@code CN=sns.amazonaws.com}, valid
 * 2020-01-01 to 2120-01-01), so tests can post webhooks that verify. A verifier accepts them when its
 * {@link SigningCertificates} serves {@link #certificate()} for the envelope's {@code SigningCertURL}
 * (for example {@link #certificates()}).
 *
 * <p>The string to sign is built here from AWS's description ("Verifying the signatures of Amazon SNS
 * messages"), independently of {@link SnsSignatureVerifier}, so that a mistake there cannot hide itself.
 */
public final class SnsTestSigner {
    /** A certificate URL that matches the default {@code SNS_CERT_URL_PATTERN}. */
    public static final String CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem";
    public static final String CERTIFICATE = "/fixtures/sns-test/sns-test-cert.pem";
    public static final String PRIVATE_KEY = "/fixtures/sns-test/sns-test-key.pem";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NOTIFICATION_KEYS =
            List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type");
    private static final List<String> CONFIRMATION_KEYS =
            List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");

    private SnsTestSigner() {
    }

    /** A Notification without Subject, SignatureVersion 2, a fresh MessageId. Returns the envelope JSON. */
    public static String notification(String topicArn, String message, String certUrl, Instant timestamp) {
        return notification(topicArn, null, message, certUrl, timestamp, "2");
    }

    /** A Notification; {@code subject} may be null (then absent). Returns the envelope JSON. */
    public static String notification(String topicArn, String subject, String message, String certUrl,
            Instant timestamp, String signatureVersion) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Type", SnsEnvelope.NOTIFICATION);
        fields.put("MessageId", UUID.randomUUID().toString());
        fields.put("TopicArn", topicArn);
        if (subject != null) {
            fields.put("Subject", subject);
        }
        fields.put("Message", message);
        fields.put("Timestamp", timestamp.toString());
        fields.put("SignatureVersion", signatureVersion);
        fields.put("SigningCertURL", certUrl);
        fields.put("UnsubscribeURL", "https://sns." + region(topicArn) + ".amazonaws.com/?Action=Unsubscribe"
                + "&SubscriptionArn=" + topicArn + ":" + UUID.randomUUID());
        return json(sign(fields));
    }

    /** A SubscriptionConfirmation, SignatureVersion 2, with a fresh Token. Returns the envelope JSON. */
    public static String subscriptionConfirmation(String topicArn, String subscribeUrl, String certUrl,
            Instant timestamp) {
        return confirmation(SnsEnvelope.SUBSCRIPTION_CONFIRMATION, topicArn, subscribeUrl, certUrl, timestamp, "2");
    }

    /** An UnsubscribeConfirmation, SignatureVersion 2, with a fresh Token. Returns the envelope JSON. */
    public static String unsubscribeConfirmation(String topicArn, String subscribeUrl, String certUrl,
            Instant timestamp) {
        return confirmation(SnsEnvelope.UNSUBSCRIBE_CONFIRMATION, topicArn, subscribeUrl, certUrl, timestamp, "2");
    }

    /**
     * A SubscriptionConfirmation or UnsubscribeConfirmation ({@code type}) for any signature version.
     * Returns the envelope JSON.
     */
    public static String confirmation(String type, String topicArn, String subscribeUrl, String certUrl,
            Instant timestamp, String signatureVersion) {
        String action = SnsEnvelope.SUBSCRIPTION_CONFIRMATION.equals(type) ? "subscribe" : "unsubscribe";
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Type", type);
        fields.put("MessageId", UUID.randomUUID().toString());
        fields.put("Token", UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", ""));
        fields.put("TopicArn", topicArn);
        fields.put("Message", "You have chosen to " + action + " the topic " + topicArn
                + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.");
        fields.put("SubscribeURL", subscribeUrl);
        fields.put("Timestamp", timestamp.toString());
        fields.put("SignatureVersion", signatureVersion);
        fields.put("SigningCertURL", certUrl);
        return json(sign(fields));
    }

    /**
     * {@code fields} plus a {@code Signature} over the string to sign of their {@code Type}, by the algorithm
     * of their {@code SignatureVersion}. Fields that are not signed are copied as given; use this to build an
     * envelope the helpers above do not.
     */
    public static Map<String, String> sign(Map<String, String> fields) {
        Map<String, String> signed = new LinkedHashMap<>(fields);
        signed.put("Signature", signature(stringToSign(fields), fields.get("SignatureVersion")));
        return signed;
    }

    /** The string SNS signs for these fields: {@code Key\nValue\n} for the type's keys that are present. */
    public static String stringToSign(Map<String, String> fields) {
        List<String> keys = SnsEnvelope.NOTIFICATION.equals(fields.get("Type")) ? NOTIFICATION_KEYS
                : CONFIRMATION_KEYS;
        StringBuilder text = new StringBuilder();
        for (String key : keys) {
            if (fields.get(key) != null) {
                text.append(key).append('\n').append(fields.get(key)).append('\n');
            }
        }
        return text.toString();
    }

    /** The Base64 signature of {@code text} by the test key: SHA1withRSA for version "1", else SHA256withRSA. */
    public static String signature(String text, String signatureVersion) {
        try {
            Signature signer = Signature.getInstance("1".equals(signatureVersion) ? "SHA1withRSA" : "SHA256withRSA");
            signer.initSign(privateKey());
            signer.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The envelope as an SNS → Lambda event ({@code Records[].Sns}, with Lambda's key spellings). */
    public static String lambdaEvent(String... envelopes) {
        try {
            List<Map<String, Object>> records = new ArrayList<>();
            for (String envelope : envelopes) {
                Map<String, Object> sns = new LinkedHashMap<>();
                JSON.readTree(envelope).fields().forEachRemaining(field -> sns.put(switch (field.getKey()) {
                    case "SigningCertURL" -> "SigningCertUrl";
                    case "UnsubscribeURL" -> "UnsubscribeUrl";
                    default -> field.getKey();
                }, field.getValue().textValue()));
                sns.putIfAbsent("Subject", null);
                sns.put("MessageAttributes", Map.of());
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("EventSource", "aws:sns");
                record.put("EventVersion", "1.0");
                record.put("EventSubscriptionArn", sns.get("TopicArn") + ":" + UUID.randomUUID());
                record.put("Sns", sns);
                records.add(record);
            }
            return JSON.writeValueAsString(Map.of("Records", records));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test certificate, PEM-encoded, as SNS serves its own at a {@code SigningCertURL}. */
    public static String certificatePem() {
        return resource(CERTIFICATE);
    }

    /** The test certificate. */
    public static X509Certificate certificate() {
        return certificate(CERTIFICATE);
    }

    /** A certificate from the test resources, e.g. {@code /fixtures/sns-real/SimpleNotificationService-...pem}. */
    public static X509Certificate certificate(String resource) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(resource(resource).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serves the test certificate for every URL, as an SNS host would for its own. */
    public static SigningCertificates certificates() {
        X509Certificate certificate = certificate();
        return (URI url) -> certificate;
    }

    private static PrivateKey privateKey() throws GeneralSecurityException {
        String base64 = resource(PRIVATE_KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** {@code arn:aws:sns:<region>:<account>:<name>}; a default for anything else. */
    private static String region(String topicArn) {
        String[] parts = topicArn.split(":");
        return parts.length > 3 && !parts[3].isEmpty() ? parts[3] : "eu-west-1";
    }

    private static String json(Map<String, String> fields) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = SnsTestSigner.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
