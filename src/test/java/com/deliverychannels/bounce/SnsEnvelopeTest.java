package com.deliverychannels.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.bounce.SnsVerificationException.Reason;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading the SNS envelope: what the webhook accepts as one before any signature is checked. */
class SnsEnvelopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-bounces";
    private static final Instant AT = Instant.parse("2026-03-06T20:00:26.893Z");

    @Test
    void readsARealNotificationKeepingTheTimestampAsSent() {
        SnsEnvelope envelope = SnsEnvelope.parse(SnsTestSigner.resource("/fixtures/sns-real/ses-event-bounce.sns-v1.json"));

        assertEquals(SnsEnvelope.NOTIFICATION, envelope.type());
        assertEquals("e2857e84-192d-54ff-9477-277db1208553", envelope.messageId());
        assertEquals("Amazon SES Email Event Notification", envelope.subject());
        assertEquals("2021-11-01T08:31:09.836Z", envelope.timestamp());
        assertEquals(Instant.parse("2021-11-01T08:31:09.836Z"), envelope.publishedAt());
        assertEquals("https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
                envelope.signingCertUrl());
        assertEquals('\n', envelope.message().charAt(envelope.message().length() - 1));
        assertNull(envelope.token());
    }

    @Test
    void readsARealSubscriptionConfirmation() {
        SnsEnvelope envelope = SnsEnvelope.parse(
                SnsTestSigner.resource("/fixtures/sns-real/subscription-confirmation-2026.sns-v1.json"));

        assertEquals(SnsEnvelope.SUBSCRIPTION_CONFIRMATION, envelope.type());
        assertEquals("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
                + "arn:aws:sns:us-west-2:131990247566:dongie-standard-topic&Token=" + envelope.token(),
                envelope.subscribeUrl());
        assertNull(envelope.subject());
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "not json", "[]", "\"Notification\"", "42", "null", "{\"Type\":\"Notification\"",
            "{} {}" })
    void nonObjectIsMalformed(String body) {
        assertEquals(Reason.MALFORMED, refusal(body));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature",
            "SigningCertURL" })
    void notificationWithoutARequiredFieldIsMalformed(String field) throws Exception {
        ObjectNode json = notification();
        json.remove(field);

        assertEquals(Reason.MALFORMED, refusal(json.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "SubscribeURL", "Token" })
    void confirmationWithoutSubscribeUrlOrTokenIsMalformed(String field) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(SnsTestSigner.subscriptionConfirmation(TOPIC,
                "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription", SnsTestSigner.CERT_URL, AT));
        json.remove(field);

        assertEquals(Reason.MALFORMED, refusal(json.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Type", "MessageId", "Message", "Subject", "Timestamp", "Signature", "SigningCertURL" })
    void nonStringValueIsMalformed(String field) throws Exception {
        ObjectNode json = notification();
        json.put(field, 12);

        assertEquals(Reason.MALFORMED, refusal(json.toString()));
        json.set(field, JsonNodeFactory.instance.objectNode().put("nested", "x"));
        assertEquals(Reason.MALFORMED, refusal(json.toString()));
    }

    @Test
    void unknownTypeIsMalformed() throws Exception {
        ObjectNode json = notification();
        json.put("Type", "Announcement");

        assertEquals(Reason.MALFORMED, refusal(json.toString()));
    }

    @Test
    void unreadableTimestampIsMalformed() throws Exception {
        ObjectNode json = notification();
        json.put("Timestamp", "yesterday");

        assertEquals(Reason.MALFORMED, refusal(json.toString()));
    }

    @Test
    void duplicateKeyIsMalformed() {
        // Two Messages: the one verified and the one acted on could differ.
        String body = SnsTestSigner.notification(TOPIC, "{}", SnsTestSigner.CERT_URL, AT)
                .replaceFirst("\\{", "{\"Message\":\"forged\",");

        assertEquals(Reason.MALFORMED, refusal(body));
    }

    @Test
    void bodyOver256KiBIsMalformed() {
        String fits = SnsTestSigner.notification(TOPIC, "x".repeat(200 * 1024), SnsTestSigner.CERT_URL, AT);
        String tooLarge = SnsTestSigner.notification(TOPIC, "x".repeat(256 * 1024), SnsTestSigner.CERT_URL, AT);
        // 90 000 three-byte characters: under the limit in chars, over it in UTF-8 bytes.
        String tooLargeInBytes = SnsTestSigner.notification(TOPIC, "€".repeat(90_000), SnsTestSigner.CERT_URL, AT);

        assertEquals(200 * 1024, SnsEnvelope.parse(fits).message().length());
        assertEquals(Reason.MALFORMED, refusal(tooLarge));
        assertEquals(Reason.MALFORMED, refusal(tooLargeInBytes));
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ObjectNode json = notification();
        json.put("SequenceNumber", "10000000000000000001");
        json.set("MessageAttributes", JsonNodeFactory.instance.objectNode());

        assertEquals(TOPIC, SnsEnvelope.parse(json.toString()).topicArn());
    }

    @Test
    void refusalNeverQuotesTheBody() throws Exception {
        String secret = "recipient-secret@example.org";
        ObjectNode json = notification();
        json.put("Message", secret);
        json.put("Timestamp", "not a time " + secret);

        SnsVerificationException refused = assertThrows(SnsVerificationException.class,
                () -> SnsEnvelope.parse(json.toString()));
        SnsVerificationException unparsable = assertThrows(SnsVerificationException.class,
                () -> SnsEnvelope.parse("{\"Message\": " + secret + "}"));

        assertFalse(refused.getMessage().contains(secret), refused.getMessage());
        assertFalse(unparsable.getMessage().contains(secret), unparsable.getMessage());
        assertNull(unparsable.getCause());
        assertFalse(SnsEnvelope.parse(SnsTestSigner.notification(TOPIC, secret, SnsTestSigner.CERT_URL, AT)).toString()
                .contains(secret));
    }

    @Test
    void lambdaRecordUsesLambdasSpellings() throws Exception {
        String event = SnsTestSigner.lambdaEvent(SnsTestSigner.notification(TOPIC, "{}", SnsTestSigner.CERT_URL, AT));
        ObjectNode sns = (ObjectNode) JSON.readTree(event).get("Records").get(0).get("Sns");

        SnsEnvelope record = SnsEnvelope.fromLambdaRecord(sns);

        assertEquals(SnsTestSigner.CERT_URL, sns.get("SigningCertUrl").textValue());
        assertEquals(SnsTestSigner.CERT_URL, record.signingCertUrl());
        assertEquals(sns.get("UnsubscribeUrl").textValue(), record.unsubscribeUrl());
        assertNull(record.subject(), "Lambda's null Subject is no Subject");
        assertEquals("{}", record.message());
    }

    @Test
    void lambdaRecordNeedsNoSignatureButItsFields() throws Exception {
        ObjectNode sns = JsonNodeFactory.instance.objectNode().put("Type", "Notification").put("MessageId", "m-1")
                .put("TopicArn", TOPIC).put("Message", "{}").put("Timestamp", AT.toString());

        assertEquals("m-1", SnsEnvelope.fromLambdaRecord(sns).messageId());
        sns.remove("TopicArn");
        assertEquals(Reason.MALFORMED,
                assertThrows(SnsVerificationException.class, () -> SnsEnvelope.fromLambdaRecord(sns)).reason());
        assertEquals(Reason.MALFORMED,
                assertThrows(SnsVerificationException.class, () -> SnsEnvelope.fromLambdaRecord(null)).reason());
    }

    private static ObjectNode notification() throws Exception {
        return (ObjectNode) JSON.readTree(SnsTestSigner.notification(TOPIC, "Bounce", "{}", SnsTestSigner.CERT_URL, AT, "2"));
    }

    private static Reason refusal(String body) {
        return assertThrows(SnsVerificationException.class, () -> SnsEnvelope.parse(body)).reason();
    }
}
