package com.deliverychannels.bounce;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.bounce.SnsVerificationException.Reason;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The webhook's signature rules, against messages Amazon SNS really signed (fixed clocks at their
 * timestamps, since their certificates have expired) and against messages signed at test time by the
 * test key.
 */
class SnsSignatureVerifierTest {
    static final Pattern DEFAULT_PATTERN = Pattern.compile("^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.*");
    static final Duration ONE_HOUR = Duration.ofHours(1);
    static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-bounces";
    static final String SUBSCRIBE_URL =
            "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=abc";
    static final Instant NOW = Instant.parse("2026-03-06T20:00:26.893Z");
    static final String SES_BOUNCE = "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\"}}";

    static final String NOTIFICATION_V2 = "notification.sns-v2.json";
    static final String BOUNCE_V1 = "ses-event-bounce.sns-v1.json";
    static final String CONFIRMATION_2026_V1 = "subscription-confirmation-2026.sns-v1.json";
    static final String CONFIRMATION_2021_V1 = "subscription-confirmation.sns-v1.json";
    static final String CERT_2026 = "SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem";
    static final String CERT_2021 = "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

    private static final ObjectMapper JSON = new ObjectMapper();

    // ---------------------------------------------------------------- real AWS-signed messages

    @ParameterizedTest
    @ValueSource(strings = { NOTIFICATION_V2, BOUNCE_V1, CONFIRMATION_2026_V1, CONFIRMATION_2021_V1 })
    void everyRealMessageVerifiesAtItsTimestamp(String fixture) {
        ObjectNode json = fixture(fixture);
        RecordingCertificates certificates = realCertificates();

        assertDoesNotThrow(() -> verifierAt(timestamp(json), certificates).verify(envelope(json)));
        assertEquals(List.of(URI.create(json.get("SigningCertURL").textValue())), certificates.requested);
    }

    static Stream<Arguments> signedFieldChanges() {
        List<Arguments> cases = new ArrayList<>();
        Map<String, List<String>> signed = Map.of(
                NOTIFICATION_V2, List.of("Message", "MessageId", "Timestamp", "TopicArn"),
                BOUNCE_V1, List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn"),
                CONFIRMATION_2026_V1, List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn"),
                CONFIRMATION_2021_V1, List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn"));
        signed.forEach((fixture, fields) -> {
            ObjectNode json = fixture(fixture);
            for (String field : fields) {
                int length = json.get(field).textValue().length();
                // Timestamp: the seconds and the milliseconds, so the message stays fresh and only the signature can tell.
                int[] positions = "Timestamp".equals(field) ? new int[] { length - 6, length - 2 }
                        : new int[] { 0, length / 2, length - 1 };
                for (int position : positions) {
                    cases.add(Arguments.of(fixture, field, position));
                }
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}[{2}]")
    @MethodSource("signedFieldChanges")
    void anyOneByteChangeToASignedFieldFails(String fixture, String field, int position) {
        ObjectNode json = fixture(fixture);
        Instant signedAt = timestamp(json);
        String original = json.get(field).textValue();
        String changed = original.substring(0, position) + other(original.charAt(position))
                + original.substring(position + 1);
        json.put(field, changed);

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> verifierAt(signedAt, realCertificates()).verify(envelope(json))));
    }

    @Test
    void typeIsSigned() {
        ObjectNode json = fixture(CONFIRMATION_2026_V1);
        json.put("Type", SnsEnvelope.UNSUBSCRIBE_CONFIRMATION);

        assertEquals(Reason.BAD_SIGNATURE,
                refusal(() -> verifierAt(timestamp(json), realCertificates()).verify(envelope(json))));
    }

    @Test
    void fieldsOutsideTheSignedStringMayChange() {
        ObjectNode json = fixture(NOTIFICATION_V2);
        json.put("UnsubscribeURL", "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=other");

        assertDoesNotThrow(() -> verifierAt(timestamp(json), realCertificates()).verify(envelope(json)));
    }

    static Stream<Arguments> signatureChanges() {
        Function<String, String> flipMiddle = s -> {
            int middle = s.length() / 2;
            return s.substring(0, middle) + (s.charAt(middle) == 'A' ? 'B' : 'A') + s.substring(middle + 1);
        };
        Function<String, String> notBase64 = s -> "not*base64!" + s;
        Function<String, String> truncated = s -> s.substring(0, s.length() - 8);
        Function<String, String> anotherMessages = s -> fixture(CONFIRMATION_2026_V1).get("Signature").textValue();
        return Stream.of(NOTIFICATION_V2, BOUNCE_V1, CONFIRMATION_2021_V1).flatMap(fixture -> Stream.of(
                Arguments.of(fixture, "one character changed", flipMiddle),
                Arguments.of(fixture, "not Base64", notBase64),
                Arguments.of(fixture, "truncated", truncated),
                Arguments.of(fixture, "another message's signature", anotherMessages)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("signatureChanges")
    void changedSignatureFails(String fixture, String change, Function<String, String> tamper) {
        ObjectNode json = fixture(fixture);
        json.put("Signature", tamper.apply(json.get("Signature").textValue()));

        assertEquals(Reason.BAD_SIGNATURE,
                refusal(() -> verifierAt(timestamp(json), realCertificates()).verify(envelope(json))));
    }

    @ParameterizedTest
    @ValueSource(strings = { NOTIFICATION_V2, BOUNCE_V1, CONFIRMATION_2026_V1, CONFIRMATION_2021_V1 })
    void swappedRealCertificatesFail(String fixture) {
        ObjectNode json = fixture(fixture);
        String other = json.get("SigningCertURL").textValue().endsWith(CERT_2026) ? CERT_2021 : CERT_2026;
        RecordingCertificates swapped = serving(SnsTestSigner.certificate("/fixtures/sns-real/" + other));

        Reason reason = refusal(() -> verifierAt(timestamp(json), swapped).verify(envelope(json)));

        // The two certificates were never valid at the same time, so the validity rule speaks first.
        assertTrue(Set.of(Reason.BAD_SIGNATURE, Reason.CERT_INVALID).contains(reason), reason.name());
    }

    @ParameterizedTest
    @ValueSource(strings = { NOTIFICATION_V2, BOUNCE_V1, CONFIRMATION_2026_V1, CONFIRMATION_2021_V1 })
    void realMessagesFailUnderAnotherValidSnsCertificate(String fixture) {
        ObjectNode json = fixture(fixture);

        assertEquals(Reason.BAD_SIGNATURE, refusal(
                () -> verifierAt(timestamp(json), serving(SnsTestSigner.certificate())).verify(envelope(json))));
    }

    @Test
    void messageOverAnHourOldIsStale() {
        ObjectNode json = fixture(NOTIFICATION_V2);
        RecordingCertificates certificates = realCertificates();

        assertEquals(Reason.STALE, refusal(() -> verifierAt(timestamp(json).plus(Duration.ofMinutes(61)), certificates)
                .verify(envelope(json))));
        assertEquals(List.of(), certificates.requested);
        assertDoesNotThrow(() -> verifierAt(timestamp(json).plus(Duration.ofMinutes(59)), certificates)
                .verify(envelope(json)));
    }

    @Test
    void messageFromTheFarFutureIsRefusedAsSuch() {
        ObjectNode json = fixture(NOTIFICATION_V2);

        assertEquals(Reason.FUTURE, refusal(() -> verifierAt(timestamp(json).minus(Duration.ofMinutes(16)),
                realCertificates()).verify(envelope(json))));
        assertDoesNotThrow(() -> verifierAt(timestamp(json).minus(Duration.ofMinutes(14)), realCertificates())
                .verify(envelope(json)));
    }

    @Test
    void realCertificateIsRefusedOnceExpired() {
        ObjectNode json = fixture(NOTIFICATION_V2);
        Duration aYear = Duration.ofDays(365);
        // Valid until 2026-10-14T23:59:59Z; the long maxAge keeps the freshness rule out of the way.
        SnsSignatureVerifier beforeExpiry = new SnsSignatureVerifier(realCertificates(), DEFAULT_PATTERN,
                Clock.fixed(Instant.parse("2026-10-14T23:00:00Z"), ZoneOffset.UTC), aYear);
        SnsSignatureVerifier afterExpiry = new SnsSignatureVerifier(realCertificates(), DEFAULT_PATTERN,
                Clock.fixed(Instant.parse("2026-10-15T01:00:00Z"), ZoneOffset.UTC), aYear);

        assertDoesNotThrow(() -> beforeExpiry.verify(envelope(json)));
        assertEquals(Reason.CERT_INVALID, refusal(() -> afterExpiry.verify(envelope(json))));
    }

    @Test
    void signatureVersionThreeIsUnsupported() {
        ObjectNode json = fixture(NOTIFICATION_V2);
        json.put("SignatureVersion", "3");
        RecordingCertificates certificates = realCertificates();

        assertEquals(Reason.UNSUPPORTED_VERSION,
                refusal(() -> verifierAt(timestamp(json), certificates).verify(envelope(json))));
        assertEquals(List.of(), certificates.requested);
    }

    // ---------------------------------------------------------------- certificate URL rule

    static Stream<String> foreignUrls() {
        return Stream.of(
                "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem",
                "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
                "https://evil.example/sns.amazonaws.com/x.pem",
                "https://evil.example/?u=https://sns.us-east-1.amazonaws.com/x.pem",
                "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
                "https://sns.us-east-1.amazonaws.com:8443/x.pem",
                "https://sns.amazonaws.com/x.pem",
                "https://s3.amazonaws.com/sns/x.pem",
                "HTTPS://sns.us-east-1.amazonaws.com/x.pem",
                "//sns.us-east-1.amazonaws.com/x.pem",
                "https://sns.us-east-1.amazonaws.com",
                "not a URL");
    }

    @ParameterizedTest
    @MethodSource("foreignUrls")
    void certificateFromElsewhereIsRefusedWithoutFetching(String certUrl) {
        String signed = SnsTestSigner.notification(TOPIC, SES_BOUNCE, certUrl, NOW);
        // The source would serve a certificate that verifies: only the URL rule stands in the way.
        RecordingCertificates certificates = serving(SnsTestSigner.certificate());

        assertEquals(Reason.BAD_CERT_URL,
                refusal(() -> verifierAt(NOW, certificates).verify(SnsEnvelope.parse(signed))));
        assertEquals(List.of(), certificates.requested);
    }

    @ParameterizedTest
    @MethodSource("foreignUrls")
    void subscribeUrlElsewhereIsRefused(String subscribeUrl) {
        SnsSignatureVerifier verifier = verifierAt(NOW, serving(SnsTestSigner.certificate()));

        assertEquals(Reason.BAD_CERT_URL, refusal(() -> verifier.checkUrl(subscribeUrl)));
    }

    @ParameterizedTest
    @ValueSource(strings = { CONFIRMATION_2026_V1, CONFIRMATION_2021_V1 })
    void realSubscribeUrlsAreAccepted(String fixture) {
        SnsSignatureVerifier verifier = verifierAt(NOW, serving(SnsTestSigner.certificate()));

        assertDoesNotThrow(() -> verifier.checkUrl(fixture(fixture).get("SubscribeURL").textValue()));
        assertDoesNotThrow(() -> verifier.checkUrl(
                "https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&Token=x"));
    }

    @Test
    void configuredPatternReplacesTheDefault() {
        Pattern irelandOnly = Pattern.compile("https://sns\\.eu-west-1\\.amazonaws\\.com/.*");
        SnsSignatureVerifier verifier = new SnsSignatureVerifier(serving(SnsTestSigner.certificate()), irelandOnly,
                Clock.fixed(NOW, ZoneOffset.UTC), ONE_HOUR);
        String ireland = SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW);
        String virginia = SnsTestSigner.notification(TOPIC, SES_BOUNCE,
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem", NOW);

        assertDoesNotThrow(() -> verifier.verify(SnsEnvelope.parse(ireland)));
        assertEquals(Reason.BAD_CERT_URL, refusal(() -> verifier.verify(SnsEnvelope.parse(virginia))));
    }

    // ---------------------------------------------------------------- messages signed by the test key

    static Stream<Arguments> testSignedKinds() {
        return Stream.of("1", "2").flatMap(version -> Stream.of(
                Arguments.of("Notification with Subject", version),
                Arguments.of("Notification without Subject", version),
                Arguments.of(SnsEnvelope.SUBSCRIPTION_CONFIRMATION, version),
                Arguments.of(SnsEnvelope.UNSUBSCRIBE_CONFIRMATION, version)));
    }

    @ParameterizedTest(name = "{0}, SignatureVersion {1}")
    @MethodSource("testSignedKinds")
    void testSignedMessagesVerify(String kind, String version) {
        String signed = switch (kind) {
            case "Notification with Subject" -> SnsTestSigner.notification(TOPIC, "Amazon SES Email Event Notification",
                    SES_BOUNCE, SnsTestSigner.CERT_URL, NOW, version);
            case "Notification without Subject" -> SnsTestSigner.notification(TOPIC, null, SES_BOUNCE,
                    SnsTestSigner.CERT_URL, NOW, version);
            default -> SnsTestSigner.confirmation(kind, TOPIC, SUBSCRIBE_URL, SnsTestSigner.CERT_URL, NOW, version);
        };

        assertDoesNotThrow(() -> verifierAt(NOW, serving(SnsTestSigner.certificate())).verify(SnsEnvelope.parse(signed)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "1", "2" })
    void subjectTakesPartInANotificationsSignature(String version) throws Exception {
        SnsSignatureVerifier verifier = verifierAt(NOW, serving(SnsTestSigner.certificate()));
        ObjectNode withSubject = json(SnsTestSigner.notification(TOPIC, "Bounce", SES_BOUNCE, SnsTestSigner.CERT_URL,
                NOW, version));
        withSubject.remove("Subject");
        ObjectNode withoutSubject = json(SnsTestSigner.notification(TOPIC, null, SES_BOUNCE, SnsTestSigner.CERT_URL,
                NOW, version));
        withoutSubject.put("Subject", "Bounce");

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> verifier.verify(envelope(withSubject))));
        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> verifier.verify(envelope(withoutSubject))));
    }

    @ParameterizedTest
    @ValueSource(strings = { "SubscribeURL", "Token", "Message", "TopicArn" })
    void unsubscribeConfirmationSignsItsFields(String field) throws Exception {
        ObjectNode json = json(SnsTestSigner.unsubscribeConfirmation(TOPIC, SUBSCRIBE_URL, SnsTestSigner.CERT_URL, NOW));
        json.put(field, json.get(field).textValue() + "x");

        assertEquals(Reason.BAD_SIGNATURE,
                refusal(() -> verifierAt(NOW, serving(SnsTestSigner.certificate())).verify(envelope(json))));
    }

    @Test
    void signatureVersionChoosesTheDigest() throws Exception {
        ObjectNode v1 = json(SnsTestSigner.notification(TOPIC, null, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW, "1"));
        v1.put("SignatureVersion", "2");
        ObjectNode v2 = json(SnsTestSigner.notification(TOPIC, null, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW, "2"));
        v2.put("SignatureVersion", "1");
        SnsSignatureVerifier verifier = verifierAt(NOW, serving(SnsTestSigner.certificate()));

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> verifier.verify(envelope(v1))));
        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> verifier.verify(envelope(v2))));
    }

    @Test
    void messageIsSignedAsDecodedUtf8() {
        String message = "Grüße — \"quoted\"\n\ttab ✓ 😀 \\ backslash";
        String signed = SnsTestSigner.notification(TOPIC, "Sujet é", message, SnsTestSigner.CERT_URL, NOW, "2");

        assertDoesNotThrow(() -> verifierAt(NOW, serving(SnsTestSigner.certificate())).verify(SnsEnvelope.parse(signed)));
        assertEquals(message, SnsEnvelope.parse(signed).message());
    }

    @Test
    void unsupportedVersionIsRefusedBeforeFetching() {
        Map<String, String> fields = new LinkedHashMap<>(SnsTestSigner.sign(Map.of("Type", "Notification",
                "MessageId", "m-1", "TopicArn", TOPIC, "Message", SES_BOUNCE, "Timestamp", NOW.toString(),
                "SignatureVersion", "3", "SigningCertURL", SnsTestSigner.CERT_URL)));
        RecordingCertificates certificates = serving(SnsTestSigner.certificate());

        assertEquals(Reason.UNSUPPORTED_VERSION,
                refusal(() -> verifierAt(NOW, certificates).verify(SnsEnvelope.parse(JSON.writeValueAsString(fields)))));
        assertEquals(List.of(), certificates.requested);
    }

    @Test
    void expiredCertificateIsRefused() {
        String signed = SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW);
        // Same key as the valid test certificate, but valid in 2020 only.
        X509Certificate expired = SnsTestSigner.certificate("/fixtures/sns-test/sns-test-cert-expired.pem");

        assertEquals(Reason.CERT_INVALID, refusal(() -> verifierAt(NOW, serving(expired)).verify(SnsEnvelope.parse(signed))));
        assertEquals(SnsTestSigner.certificate().getPublicKey(), expired.getPublicKey());
    }

    @Test
    void certificateNotYetValidIsRefused() {
        Instant beforeValidity = Instant.parse("2019-06-01T12:00:00Z");
        String signed = SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, beforeValidity);

        assertEquals(Reason.CERT_INVALID, refusal(
                () -> verifierAt(beforeValidity, serving(SnsTestSigner.certificate())).verify(SnsEnvelope.parse(signed))));
    }

    @Test
    void certificateNotIssuedToSnsIsRefused() {
        String signed = SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW);
        X509Certificate foreign = SnsTestSigner.certificate("/fixtures/sns-test/sns-test-cert-wrong-cn.pem");

        assertEquals(Reason.CERT_INVALID, refusal(() -> verifierAt(NOW, serving(foreign)).verify(SnsEnvelope.parse(signed))));
    }

    @Test
    void regionalSigningNameIsAcceptedFromItsOwnRegionOnly() {
        // Opt-in regions sign with CN=sns-signing.<region>.amazonaws.com (as AWS's SDKs expect).
        X509Certificate bahrain = SnsTestSigner.certificate("/fixtures/sns-test/sns-test-cert-opt-in-region.pem");
        String fromBahrain = SnsTestSigner.notification(TOPIC, SES_BOUNCE,
                "https://sns.me-south-1.amazonaws.com/SimpleNotificationService-test.pem", NOW);
        String fromVirginia = SnsTestSigner.notification(TOPIC, SES_BOUNCE,
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem", NOW);

        assertDoesNotThrow(() -> verifierAt(NOW, serving(bahrain)).verify(SnsEnvelope.parse(fromBahrain)));
        assertEquals(Reason.CERT_INVALID,
                refusal(() -> verifierAt(NOW, serving(bahrain)).verify(SnsEnvelope.parse(fromVirginia))));
    }

    @Test
    void testSignedMessageFailsUnderARealSnsCertificate() {
        String signed = SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW);
        X509Certificate real = SnsTestSigner.certificate("/fixtures/sns-real/" + CERT_2026);

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> verifierAt(NOW, serving(real)).verify(SnsEnvelope.parse(signed))));
    }

    @Test
    void unavailableCertificateIsReportedAsSuch() {
        String signed = SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW);
        RecordingCertificates down = new RecordingCertificates(url -> {
            throw new SnsVerificationException(Reason.CERT_UNAVAILABLE, "down");
        });

        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> verifierAt(NOW, down).verify(SnsEnvelope.parse(signed))));
    }

    @Test
    void lambdaRecordWithoutSignatureCannotBeVerified() throws Exception {
        ObjectNode sns = json(SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW));
        sns.remove("Signature");

        assertEquals(Reason.MALFORMED, refusal(() -> verifierAt(NOW, serving(SnsTestSigner.certificate()))
                .verify(SnsEnvelope.fromLambdaRecord(sns))));
    }

    @Test
    void signedLambdaRecordVerifies() throws Exception {
        String event = SnsTestSigner.lambdaEvent(SnsTestSigner.notification(TOPIC, SES_BOUNCE, SnsTestSigner.CERT_URL, NOW));
        SnsEnvelope record = SnsEnvelope.fromLambdaRecord(JSON.readTree(event).get("Records").get(0).get("Sns"));

        assertEquals(SnsTestSigner.CERT_URL, record.signingCertUrl());
        assertDoesNotThrow(() -> verifierAt(NOW, serving(SnsTestSigner.certificate())).verify(record));
    }

    // ---------------------------------------------------------------- helpers

    /** Serves certificates through {@code source} and remembers every URL asked for. */
    static final class RecordingCertificates implements SigningCertificates {
        final List<URI> requested = new ArrayList<>();
        private final Function<URI, X509Certificate> source;

        RecordingCertificates(Function<URI, X509Certificate> source) {
            this.source = source;
        }

        @Override
        public X509Certificate certificate(URI url) {
            requested.add(url);
            return source.apply(url);
        }
    }

    /** The fixture certificate whose file name ends the URL, as SNS names them. */
    static RecordingCertificates realCertificates() {
        return new RecordingCertificates(url -> {
            String path = url.getPath();
            return SnsTestSigner.certificate("/fixtures/sns-real" + path.substring(path.lastIndexOf('/')));
        });
    }

    static RecordingCertificates serving(X509Certificate certificate) {
        return new RecordingCertificates(url -> certificate);
    }

    static SnsSignatureVerifier verifierAt(Instant now, SigningCertificates certificates) {
        return new SnsSignatureVerifier(certificates, DEFAULT_PATTERN, Clock.fixed(now, ZoneOffset.UTC), ONE_HOUR);
    }

    static ObjectNode fixture(String name) {
        try {
            return json(SnsTestSigner.resource("/fixtures/sns-real/" + name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    static SnsEnvelope envelope(ObjectNode json) {
        return SnsEnvelope.parse(json.toString());
    }

    static Instant timestamp(ObjectNode json) {
        return Instant.parse(json.get("Timestamp").textValue());
    }

    static Reason refusal(Executable verification) {
        return assertThrows(SnsVerificationException.class, verification).reason();
    }

    /** A different character of the same kind, so the field keeps its shape. */
    static char other(char c) {
        char changed;
        if (Character.isDigit(c)) {
            changed = (char) ('0' + (c - '0' + 1) % 10);
        } else if (c >= 'a' && c <= 'z') {
            changed = (char) ('a' + (c - 'a' + 1) % 26);
        } else if (c >= 'A' && c <= 'Z') {
            changed = (char) ('A' + (c - 'A' + 1) % 26);
        } else {
            changed = c == '_' ? '-' : '_';
        }
        assertNotEquals(c, changed);
        return changed;
    }
}
