package com.deliverychannels.bounce;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.deliverychannels.bounce.SesNotification.Kind;
import com.deliverychannels.bounce.SesNotification.Recipient;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * Reads the {@code Message} of an SNS notification that SES published: the identity-notification format
 * ({@code notificationType}: Bounce, Complaint, Delivery) and the event-publishing format ({@code eventType}:
 * also Reject, DeliveryDelay, Rendering Failure, and Send, Open, Click, ... which become {@link Kind#OTHER}).
 *
 * <p>
 * Unknown fields are ignored: SES adds fields without notice. Fields a kind depends on (the type,
 * {@code mail.messageId}, {@code mail.timestamp}, bounced and complained recipients) must be present and of
 * the documented shape; anything else that is present must be of its documented shape too. The matching hints
 * ({@code mail.tags.deliveryId}, the {@code X-Delivery-Id} header) are read when usable and otherwise left
 * empty, since {@code mail.messageId} still matches. An {@link Kind#OTHER} needs only its type: it is
 * acknowledged and dropped, and refusing it over a field nobody reads would turn an ignorable event into an
 * error.
 */
public final class SesNotificationParser {

    /** Set by {@code delivery.MessageComposer}; SES reports it when original headers are included. */
    static final String DELIVERY_ID_HEADER = "X-Delivery-Id";
    /** The message tag {@code MessageComposer} sets through {@code X-SES-MESSAGE-TAGS} (event publishing only). */
    static final String DELIVERY_ID_TAG = "deliveryId";
    /** {@code detail} is one line in the user's timeline; an SMTP reply or rendering error can run long. */
    static final int DETAIL_MAX_LENGTH = 200;

    /** A repeated key (two eventTypes) would let two readers of one signed message disagree: refused. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * The notification in {@code messageJson}.
     *
     * @throws MalformedSesNotificationException when it is not a JSON object, has no type, or lacks a field
     *                                           its kind depends on; the message names the field
     */
    public SesNotification parse(String messageJson) {
        JsonNode root = readObject(messageJson);
        String rawType = type(root);
        Kind kind = kindOf(rawType);
        if (kind == Kind.OTHER) {
            return other(rawType, root.get("mail"));
        }
        Mail mail = mail(root);
        return switch (kind) {
            case BOUNCE -> bounce(rawType, mail, requiredObject(root, "bounce", "bounce"));
            case COMPLAINT -> complaint(rawType, mail, requiredObject(root, "complaint", "complaint"));
            case DELIVERY -> delivery(rawType, mail, optionalObject(root, "delivery", "delivery"));
            case DELIVERY_DELAY -> deliveryDelay(rawType, mail, optionalObject(root, "deliveryDelay", "deliveryDelay"));
            case REJECT -> {
                JsonNode reject = optionalObject(root, "reject", "reject");
                yield notification(Kind.REJECT, rawType, mail, mail.timestamp(), destinationRecipients(mail), null,
                        null, null, detail(text(reject, "reason", "reject.reason")));
            }
            case RENDERING_FAILURE -> {
                JsonNode failure = optionalObject(root, "failure", "failure");
                yield notification(Kind.RENDERING_FAILURE, rawType, mail, mail.timestamp(),
                        destinationRecipients(mail), null, null, null,
                        detail(text(failure, "errorMessage", "failure.errorMessage")));
            }
            case OTHER -> throw new IllegalStateException("OTHER is handled above");
        };
    }

    private static JsonNode readObject(String messageJson) {
        if (messageJson == null || messageJson.isBlank()) {
            throw malformed("message is empty");
        }
        JsonNode root;
        try {
            root = JSON.readTree(messageJson);
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the offending text; the location alone is safe to log
            JsonLocation at = e.getLocation();
            throw malformed(at == null ? "message is not JSON"
                    : "message is not JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw malformed("message is not a JSON object");
        }
        return root;
    }

    /** Event publishing names the type {@code eventType}; identity notifications {@code notificationType}. */
    private static String type(JsonNode root) {
        String type = typeKey(root, "eventType");
        if (type == null) {
            type = typeKey(root, "notificationType");
        }
        if (type == null) {
            throw malformed("neither eventType nor notificationType is present");
        }
        return type;
    }

    private static String typeKey(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw malformed(name + " is not a string");
        }
        String type = node.asText().trim();
        if (type.isEmpty()) {
            throw malformed(name + " is empty");
        }
        return type;
    }

    /** SES writes {@code "Rendering Failure"} with a space in events; spacing and case are not trusted. */
    private static Kind kindOf(String rawType) {
        return switch (rawType.replace(" ", "").toLowerCase(Locale.ROOT)) {
            case "bounce" -> Kind.BOUNCE;
            case "complaint" -> Kind.COMPLAINT;
            case "delivery" -> Kind.DELIVERY;
            case "reject" -> Kind.REJECT;
            case "deliverydelay" -> Kind.DELIVERY_DELAY;
            case "renderingfailure" -> Kind.RENDERING_FAILURE;
            default -> Kind.OTHER;
        };
    }

    private record Mail(String messageId, Instant timestamp, Optional<String> deliveryIdTag,
            Optional<String> deliveryIdHeader, List<String> destination) {
    }

    private static Mail mail(JsonNode root) {
        JsonNode mail = requiredObject(root, "mail", "mail");
        String messageId = text(mail, "messageId", "mail.messageId");
        if (messageId == null) {
            throw malformed("mail.messageId is missing");
        }
        Instant timestamp = instant(mail, "timestamp", "mail.timestamp");
        if (timestamp == null) {
            throw malformed("mail.timestamp is missing");
        }
        List<String> destination = new ArrayList<>();
        JsonNode addresses = optionalArray(mail, "destination", "mail.destination");
        for (int i = 0; i < addresses.size(); i++) {
            JsonNode address = addresses.get(i);
            if (!address.isTextual() || address.asText().isBlank()) {
                throw malformed("mail.destination[" + i + "] is not an address");
            }
            destination.add(address.asText().trim());
        }
        return new Mail(messageId, timestamp, deliveryIdTag(mail), deliveryIdHeader(mail), destination);
    }

    private static SesNotification bounce(String rawType, Mail mail, JsonNode bounce) {
        JsonNode bounced = recipientArray(bounce, "bouncedRecipients", "bounce.bouncedRecipients");
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < bounced.size(); i++) {
            String path = "bounce.bouncedRecipients[" + i + "]";
            JsonNode entry = element(bounced, i, path);
            recipients.add(new Recipient(address(entry, path), text(entry, "status", path + ".status"),
                    text(entry, "diagnosticCode", path + ".diagnosticCode")));
        }
        return notification(Kind.BOUNCE, rawType, mail, occurredAt(bounce, "bounce.timestamp", mail), recipients,
                text(bounce, "bounceType", "bounce.bounceType"), text(bounce, "bounceSubType", "bounce.bounceSubType"),
                null, null);
    }

    private static SesNotification complaint(String rawType, Mail mail, JsonNode complaint) {
        JsonNode complained = recipientArray(complaint, "complainedRecipients", "complaint.complainedRecipients");
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < complained.size(); i++) {
            String path = "complaint.complainedRecipients[" + i + "]";
            recipients.add(new Recipient(address(element(complained, i, path), path), null, null));
        }
        // complaintFeedbackType comes only with a feedback report; many mailbox providers send none
        return notification(Kind.COMPLAINT, rawType, mail, occurredAt(complaint, "complaint.timestamp", mail),
                recipients, null, null, text(complaint, "complaintFeedbackType", "complaint.complaintFeedbackType"),
                null);
    }

    private static SesNotification delivery(String rawType, Mail mail, JsonNode delivery) {
        JsonNode delivered = optionalArray(delivery, "recipients", "delivery.recipients");
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < delivered.size(); i++) {
            JsonNode address = delivered.get(i);
            if (!address.isTextual() || address.asText().isBlank()) {
                throw malformed("delivery.recipients[" + i + "] is not an address");
            }
            recipients.add(new Recipient(address.asText().trim(), null, null));
        }
        return notification(Kind.DELIVERY, rawType, mail, occurredAt(delivery, "delivery.timestamp", mail),
                recipients, null, null, null, detail(text(delivery, "smtpResponse", "delivery.smtpResponse")));
    }

    private static SesNotification deliveryDelay(String rawType, Mail mail, JsonNode delay) {
        JsonNode delayed = optionalArray(delay, "delayedRecipients", "deliveryDelay.delayedRecipients");
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < delayed.size(); i++) {
            String path = "deliveryDelay.delayedRecipients[" + i + "]";
            JsonNode entry = element(delayed, i, path);
            recipients.add(new Recipient(address(entry, path), text(entry, "status", path + ".status"),
                    text(entry, "diagnosticCode", path + ".diagnosticCode")));
        }
        return notification(Kind.DELIVERY_DELAY, rawType, mail,
                occurredAt(delay, "deliveryDelay.timestamp", mail), recipients, null, null, null,
                detail(text(delay, "delayType", "deliveryDelay.delayType")));
    }

    /** Reject and Rendering Failure name no recipients: nothing was sent to any of them. */
    private static List<Recipient> destinationRecipients(Mail mail) {
        return mail.destination().stream().map(address -> new Recipient(address, null, null)).toList();
    }

    private static SesNotification notification(Kind kind, String rawType, Mail mail, Instant occurredAt,
            List<Recipient> recipients, String bounceType, String bounceSubType, String feedbackType,
            String detail) {
        return new SesNotification(kind, rawType, mail.messageId(), mail.timestamp(), mail.deliveryIdTag(),
                mail.deliveryIdHeader(), mail.destination(), occurredAt, recipients, bounceType, bounceSubType,
                feedbackType, detail);
    }

    /** Whatever of {@code mail} is readable; an event we ignore is never refused over its details. */
    private static SesNotification other(String rawType, JsonNode mail) {
        if (mail == null || !mail.isObject()) {
            return new SesNotification(Kind.OTHER, rawType, null, null, Optional.empty(), Optional.empty(),
                    List.of(), null, List.of(), null, null, null, null);
        }
        JsonNode id = mail.get("messageId");
        String messageId = id != null && id.isTextual() && !id.asText().isBlank() ? id.asText().trim() : null;
        Instant timestamp;
        try {
            timestamp = instant(mail, "timestamp", "mail.timestamp");
        } catch (MalformedSesNotificationException unreadable) {
            timestamp = null;
        }
        List<String> destination = new ArrayList<>();
        JsonNode addresses = mail.get("destination");
        if (addresses != null && addresses.isArray()) {
            for (JsonNode address : addresses) {
                if (address.isTextual() && !address.asText().isBlank()) {
                    destination.add(address.asText().trim());
                }
            }
        }
        return new SesNotification(Kind.OTHER, rawType, messageId, timestamp, deliveryIdTag(mail),
                deliveryIdHeader(mail), destination, timestamp, List.of(), null, null, null, null);
    }

    /** {@code mail.tags} maps each tag name to an array of values; ours has one. */
    private static Optional<String> deliveryIdTag(JsonNode mail) {
        JsonNode values = mail.path("tags").path(DELIVERY_ID_TAG);
        JsonNode value = values.isArray() ? values.path(0) : values;
        return value.isTextual() && !value.asText().isBlank() ? Optional.of(value.asText().trim()) : Optional.empty();
    }

    /** Header names are case-insensitive (RFC 5322 §1.2.2); relays may change their case. */
    private static Optional<String> deliveryIdHeader(JsonNode mail) {
        JsonNode headers = mail.path("headers");
        if (!headers.isArray()) {
            return Optional.empty();
        }
        for (JsonNode header : headers) {
            JsonNode name = header.path("name");
            JsonNode value = header.path("value");
            if (name.isTextual() && DELIVERY_ID_HEADER.equalsIgnoreCase(name.asText().trim()) && value.isTextual()
                    && !value.asText().isBlank()) {
                return Optional.of(value.asText().trim());
            }
        }
        return Optional.empty();
    }

    private static Instant occurredAt(JsonNode event, String path, Mail mail) {
        Instant at = instant(event, "timestamp", path);
        return at != null ? at : mail.timestamp();
    }

    private static JsonNode recipientArray(JsonNode parent, String name, String path) {
        JsonNode array = optionalArray(parent, name, path);
        if (array.isEmpty()) {
            throw malformed(path + " is missing or empty");
        }
        return array;
    }

    private static JsonNode element(JsonNode array, int index, String path) {
        JsonNode entry = array.get(index);
        if (!entry.isObject()) {
            throw malformed(path + " is not an object");
        }
        return entry;
    }

    /** {@code emailAddress} is a plain address in recipient lists, unlike {@code mail.source}. */
    private static String address(JsonNode recipient, String path) {
        String address = text(recipient, "emailAddress", path + ".emailAddress");
        if (address == null) {
            throw malformed(path + ".emailAddress is missing");
        }
        return address;
    }

    private static JsonNode requiredObject(JsonNode parent, String name, String path) {
        JsonNode node = optionalObject(parent, name, path);
        if (node.isMissingNode()) {
            throw malformed(path + " is missing");
        }
        return node;
    }

    /** The object, or a missing node when absent, so that reading its fields yields nothing. */
    private static JsonNode optionalObject(JsonNode parent, String name, String path) {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return MissingNode.getInstance();
        }
        if (!node.isObject()) {
            throw malformed(path + " is not an object");
        }
        return node;
    }

    /** The array, or an empty one when absent. */
    private static JsonNode optionalArray(JsonNode parent, String name, String path) {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return JSON.createArrayNode();
        }
        if (!node.isArray()) {
            throw malformed(path + " is not an array");
        }
        return node;
    }

    /** The trimmed string; null when absent, null or blank. */
    private static String text(JsonNode parent, String name, String path) {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw malformed(path + " is not a string");
        }
        String text = node.asText().trim();
        return text.isEmpty() ? null : text;
    }

    /** SES writes {@code 2021-11-01T06:33:58.000Z}; an offset other than Z is read too. */
    private static Instant instant(JsonNode parent, String name, String path) {
        String text = text(parent, name, path);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw malformed(path + " is not an ISO-8601 timestamp");
        }
    }

    /** One line, whitespace collapsed (SMTP replies span lines), cut at {@link #DETAIL_MAX_LENGTH}. */
    private static String detail(String text) {
        if (text == null) {
            return null;
        }
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= DETAIL_MAX_LENGTH ? line : line.substring(0, DETAIL_MAX_LENGTH - 1) + "…";
    }

    private static MalformedSesNotificationException malformed(String what) {
        return new MalformedSesNotificationException("SES notification: " + what);
    }
}
