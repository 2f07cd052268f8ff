package com.deliverychannels.bounce;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.deliverychannels.bounce.SnsVerificationException.Reason;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON envelope Amazon SNS posts to an HTTP(S) subscriber, or hands to Lambda as {@code Records[].Sns}.
 * Values are kept exactly as received, {@code Timestamp} included, because the signature covers the
 * strings themselves ("Verifying the signatures of Amazon SNS messages": the escaped characters of
 * {@code Message} and {@code Subject} are decoded, nothing else is normalised). {@code subject},
 * {@code subscribeUrl}, {@code token} and {@code unsubscribeUrl} are null when absent.
 */
public record SnsEnvelope(String type, String messageId, String topicArn, String subject, String message,
        String timestamp, String signatureVersion, String signature, String signingCertUrl, String subscribeUrl,
        String token, String unsubscribeUrl) {

    public static final String NOTIFICATION = "Notification";
    public static final String SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation";
    public static final String UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation";
    /** SNS messages are at most 256 KiB; the envelope adds little, and nothing larger is worth parsing. */
    public static final int MAX_BYTES = 256 * 1024;

    /*
     * Duplicate keys are refused: with two "Message" members, the copy that is verified and the copy that
     * is acted on could differ between parsers.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Reads the body of a webhook POST.
     *
     * @throws SnsVerificationException {@link Reason#MALFORMED} for anything but a JSON object of at most
     *                                  {@link #MAX_BYTES} with the string fields its {@code Type} requires
     *                                  (the signature fields always; {@code SubscribeURL} and {@code Token}
     *                                  for confirmations)
     */
    public static SnsEnvelope parse(String json) {
        if (json == null || json.isEmpty()) {
            throw malformed("empty body");
        }
        // A Java char is at least one UTF-8 byte, so the cheap test comes first.
        if (json.length() > MAX_BYTES || json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw malformed("body over " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the body, so neither it nor the exception is passed on.
            throw malformed("not JSON" + where(e.getLocation()));
        }
        if (root == null || !root.isObject()) {
            throw malformed("not a JSON object");
        }
        SnsEnvelope envelope = new SnsEnvelope(text(root, "Type"), text(root, "MessageId"), text(root, "TopicArn"),
                text(root, "Subject"), text(root, "Message"), text(root, "Timestamp"),
                text(root, "SignatureVersion"), text(root, "Signature"), text(root, "SigningCertURL"),
                text(root, "SubscribeURL"), text(root, "Token"), text(root, "UnsubscribeURL"));
        envelope.requireCommonFields();
        require(envelope.signatureVersion, "SignatureVersion");
        require(envelope.signature, "Signature");
        require(envelope.signingCertUrl, "SigningCertURL");
        if (!NOTIFICATION.equals(envelope.type)) {
            require(envelope.subscribeUrl, "SubscribeURL");
            require(envelope.token, "Token");
        }
        return envelope;
    }

    /**
     * Reads the {@code Sns} member of an SNS → Lambda event record. Lambda spells two keys differently
     * ({@code SigningCertUrl}, {@code UnsubscribeUrl}); both spellings are accepted. Lambda only delivers
     * notifications, and the invocation itself is authorised by IAM, so the signature fields are optional
     * here; {@link SnsSignatureVerifier#verify} refuses a record without them. A JSON {@code null}
     * {@code Subject}, as Lambda sends for messages without one, counts as absent.
     *
     * @throws SnsVerificationException {@link Reason#MALFORMED} when {@code sns} is not an object holding
     *                                  a Notification's string fields
     */
    public static SnsEnvelope fromLambdaRecord(JsonNode sns) {
        if (sns == null || !sns.isObject()) {
            throw malformed("Sns record is not a JSON object");
        }
        SnsEnvelope envelope = new SnsEnvelope(text(sns, "Type"), text(sns, "MessageId"), text(sns, "TopicArn"),
                text(sns, "Subject"), text(sns, "Message"), text(sns, "Timestamp"), text(sns, "SignatureVersion"),
                text(sns, "Signature"), text(sns, "SigningCertUrl", "SigningCertURL"), null, null,
                text(sns, "UnsubscribeUrl", "UnsubscribeURL"));
        envelope.requireCommonFields();
        if (!NOTIFICATION.equals(envelope.type)) {
            throw malformed("Lambda record of Type other than Notification");
        }
        return envelope;
    }

    /**
     * When SNS says it published the message.
     *
     * @throws SnsVerificationException {@link Reason#MALFORMED} if {@code Timestamp} is not an ISO-8601 instant
     */
    public Instant publishedAt() {
        if (timestamp == null) {
            throw malformed("Timestamp missing");
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            throw malformed("Timestamp is not an ISO-8601 instant");
        }
    }

    /** Identifies the message without its body, token or signature, so that it can be logged. */
    @Override
    public String toString() {
        return "SnsEnvelope[type=" + type + ", messageId=" + messageId + ", topicArn=" + topicArn + ", timestamp="
                + timestamp + ", signatureVersion=" + signatureVersion + ", signingCertUrl=" + signingCertUrl + "]";
    }

    private void requireCommonFields() {
        require(type, "Type");
        if (!NOTIFICATION.equals(type) && !SUBSCRIPTION_CONFIRMATION.equals(type)
                && !UNSUBSCRIBE_CONFIRMATION.equals(type)) {
            // Only these three types have a documented string to sign; anything else cannot be verified.
            throw malformed("unknown Type");
        }
        require(messageId, "MessageId");
        require(topicArn, "TopicArn");
        if (message == null) {
            throw malformed("Message missing");
        }
        require(timestamp, "Timestamp");
        publishedAt();
    }

    private static void require(String value, String key) {
        if (value == null || value.isEmpty()) {
            throw malformed(key + " missing");
        }
    }

    /** The string value of the first of {@code keys} present; null when none is (or it is JSON null). */
    private static String text(JsonNode object, String... keys) {
        for (String key : keys) {
            JsonNode value = object.get(key);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isTextual()) {
                throw malformed(key + " is not a string");
            }
            return value.textValue();
        }
        return null;
    }

    private static String where(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static SnsVerificationException malformed(String detail) {
        return new SnsVerificationException(Reason.MALFORMED, detail);
    }
}
